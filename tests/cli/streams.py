"""Helpers for tests that run the console script and read its output while it runs."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import IO

from tests.fixtures.batchsites import article
from tests.localsite import LocalSite

ARCHIVER = Path(sys.executable).with_name("archiver")
SUMMARY = re.compile(
    r"(\d+) URLs?: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) duplicate, "
    r"(\d+) errors? in \d+(\.\d)? s"
)
WAIT = 20.0  # seconds a line may take to come through before the test gives up


SLOW_HOST = "127.0.0.2"  # a second host: its answers do not wait behind the first's


def hold(site: LocalSite, path: str, html: str) -> threading.Event:
    """Serve ``html`` at ``path`` only once the returned event is set."""
    release = threading.Event()

    def handler(req: BaseHTTPRequestHandler) -> None:
        while not release.wait(0.05):
            if site.stopping.is_set():
                return
        body = html.encode()
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    site.handle(path, handler)
    return release


def stories(site: LocalSite, host: int, count: int) -> list[str]:
    for n in range(count):
        site.set(f"/news/{n}", article(host, n))
    return [site.url(f"/news/{n}") for n in range(count)]


class Lines:
    """The lines of a stream, read in a thread, so the test can wait for each with a limit."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def next(self) -> str:
        line = self._lines.get(timeout=WAIT)
        assert line is not None, "the stream ended"
        return line

    def rest(self) -> list[str]:
        lines = []
        while (line := self._lines.get(timeout=WAIT)) is not None:
            lines.append(line)
        return lines


# A held page is never released: it must still be in flight when the test interrupts the
# run, however long a loaded machine takes over the other URLs (not the read timeout's 20 s).
PATIENT = {"ARCHIVER_FETCH__READ_TIMEOUT": "600", "ARCHIVER_FETCH__TOTAL_TIMEOUT": "600"}


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ARCHIVER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **PATIENT},
    )  # fmt: skip
