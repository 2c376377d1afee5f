"""Shared fixtures: local HTTP sites and per-test archiver homes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.localsite import LocalSite


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """A fresh local HTTP server on 127.0.0.1 (pages set by the test)."""
    with LocalSite() as s:
        yield s


@pytest.fixture
def archiver_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated ARCHIVER_HOME with private networks allowed (tests use loopback)."""
    home = tmp_path / "home"
    monkeypatch.setenv("ARCHIVER_HOME", str(home))
    monkeypatch.setenv("ARCHIVER_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("ARCHIVER_FETCH__PER_HOST_DELAY", "0")
    monkeypatch.setenv("ARCHIVER_FETCH__RETRY_BACKOFF", "0.05")
    monkeypatch.delenv("ARCHIVER_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARCHIVER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return home
