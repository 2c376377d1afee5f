"""The real app served by uvicorn (``archiver.web.server.serving``) in a thread, and Chromium."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from archiver.config import Settings
from archiver.web.app import create_app
from archiver.web.server import Limits, address, bind, serving

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

    def __init__(self, settings: Settings, limits: Limits | None = None) -> None:
        self.settings = settings
        self.limits = limits or Limits()
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
        async with serving(create_app(self.settings), self.sock, self.limits):
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
def live_server(settings: Settings, limits: Limits | None = None) -> Iterator[LiveServer]:
    server = LiveServer(settings, limits)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@contextmanager
def serve_process(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """``archiver serve --port 0`` as a real process; yields its base URL, stops it by SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, lines), daemon=True).start()
    try:
        url, seen, deadline = None, [], time.monotonic() + 60
        while url is None:  # the log line that says where it listens
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("archiver serve did not start:\n" + "".join(seen)) from None
                continue
            seen.append(line)
            if found := re.search(r"web UI and API on (http://\S+)", line):
                url = found.group(1)
        yield url
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
