"""Run the real daemon (apscheduler, process pool, store) in-process against local sites."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from archiver.config import Settings, load_settings
from archiver.daemon import Daemon, run_daemon
from archiver.store import Store
from tests.daemon.newssite import NewsSite
from tests.localsite import LocalSite


@pytest.fixture
def settings(archiver_env: Path) -> Settings:
    """Daemon settings scaled down for tests: second-long ladders and scans."""
    s = load_settings()
    s.extract.workers = 1
    s.daemon.recheck_ladder = [1.0, 2.0, 3.0]
    s.daemon.recheck_scan_every = 0.2
    s.daemon.reload_every = 0.2
    s.daemon.sources_file = archiver_env.parent / "sources.toml"
    s.fetch.retry_backoff = 0.1
    return s


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    settings.ensure_home()
    with Store(settings.db_url) as s:
        yield s


@pytest.fixture
def news(site: LocalSite) -> NewsSite:
    return NewsSite(site)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Daemon]:
    """The daemon, started and ready; stopped (like SIGTERM would) on exit."""
    stop, ready = asyncio.Event(), asyncio.Event()
    started: list[Daemon] = []

    def on_ready(daemon: Daemon) -> None:
        started.append(daemon)
        ready.set()

    task = asyncio.create_task(run_daemon(settings, stop=stop, ready=on_ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # raises what broke start-up
    assert started, "daemon did not start within 60 s"
    try:
        yield started[0]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def until(predicate: Callable[[], bool], limit: float = 30.0, what: str = "") -> None:
    """Wait for a condition on the archive (checked every 50 ms), or fail."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit}s waiting for {what or predicate}")
        await asyncio.sleep(0.05)
