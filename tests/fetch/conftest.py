"""Fixtures for fetch tests: async runner, a second host, quick settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.localsite import LocalSite


@pytest.fixture
def other_site() -> Iterator[LocalSite]:
    """A second server on 127.0.0.2: a different host for politeness and policy."""
    with LocalSite("127.0.0.2") as s:
        yield s
