"""Shared fixtures: local HTTP sites and per-test archiver homes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archiver.cli import main
from archiver.config import load_settings
from archiver.store import Store
from tests.localsite import LocalSite


@pytest.fixture
def anyio_backend() -> str:
    """``pytest.mark.anyio`` tests run on asyncio: archiver is asyncio-only
    (asyncio.timeout, asyncio.Semaphore, the process pool's futures)."""
    return "asyncio"


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
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # not the user's own config
    monkeypatch.chdir(tmp_path)
    return home


@dataclass
class Run:
    """What one in-process run of the ``archiver`` command did."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def json(self) -> dict[str, Any]:
        rows = self.json_lines()
        assert len(rows) == 1, self.out
        return rows[0]

    def one_error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert lines[0].startswith("archiver: "), self.err
        assert "Traceback" not in self.err, self.err
        return lines[0]

    def stored(self) -> dict[str, int]:
        with Store(load_settings().db_url) as store:
            counts = store.counts()
        return {k: counts[k] for k in ("articles", "versions", "bodies")}


@pytest.fixture
def cli(archiver_env: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the real ``archiver`` command in-process (same code path as the console script)."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
