"""The real app served by uvicorn (``archiver.web.server.serving``) in a thread, and Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archiver.config import Settings
from archiver.web.app import create_app
from archiver.web.server import address, bind, serving

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_INSTALL = (
    "BROWSER TESTS SKIPPED: no Chromium found. Install it with `make browser` (as root: "
    "apt-get install chromium) or set ARCHIVER_TEST_CHROMIUM=/path/to/chromium; the Python "
    "driver comes with `pip install -e '.[dev]'` (playwright; `playwright install` is not needed)."
)


def chromium_path() -> str:
    """The Chromium to drive, or a loud skip saying how to get one."""
    pytest.importorskip("playwright.sync_api", reason=HOW_TO_INSTALL)
    wanted = os.environ.get("ARCHIVER_TEST_CHROMIUM") or "/usr/bin/chromium"
    found = wanted if Path(wanted).is_file() else shutil.which("chromium")
    if not found:
        pytest.skip(HOW_TO_INSTALL)
    return found


class LiveServer:
    """``archiver serve`` in a background thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sock = bind("127.0.0.1", 0)  # a free port, known before the server starts
        self.url = address(self.sock)
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test by start()
            self._failed = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serving(create_app(self.settings), self.sock):
            self._ready.set()  # uvicorn has started and the app's lifespan has run
            await self._stop.wait()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(60):
            raise TimeoutError("the web server did not start within 60 s")
        if self._failed is not None:
            raise RuntimeError("the web server failed to start") from self._failed

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        self.sock.close()


@contextmanager
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
