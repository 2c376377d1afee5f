"""Run ``extract_page`` in worker processes with a hard per-page time limit.

Extraction is CPU-bound and, on hostile HTML, unbounded: lxml and
trafilatura can spend minutes on a pathological page and cannot be
interrupted from inside. So every page runs in a pebble ``ProcessPool``
worker; a page over ``timeout`` gets its worker killed (and replaced), and a
crashing worker costs one page, never the service or the event loop.

Workers come from a *forkserver* that has already imported trafilatura: they
start fast, and they are never forked from the multi-threaded service process
(forking a process that has threads can deadlock the child).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import ClassVar

from pebble import ProcessExpired, ProcessPool

from archiver.errors import ArchiverError, ExtractError, ExtractTimeoutError
from archiver.extract.page import extract_page
from archiver.records.extracted import Extracted

# Libraries that log per page. A worker has no logging configuration, so their
# warnings would go to stderr through logging.lastResort; the pool's errors
# already say what happened to each page.
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")
# Recycle a worker after this many pages: lxml/libxml2 and the libraries'
# caches fragment a long-lived process's heap. A fresh fork costs ~50 ms.
MAX_PAGES_PER_WORKER = 500
_WARM_UP_PAGE = (
    b"<html lang='en'><head><title>warm-up</title></head><body><article>"
    + b"<p>Warm-up paragraph that loads the extraction code paths once.</p>" * 5
    + b"</article></body></html>"
)


def _start_worker() -> None:
    """Pebble initializer: silence library logs, then pay first-call costs before
    the worker takes a page (the per-page timeout must not include them)."""
    # Pebble stops a page over its limit with SIGTERM. Python's handler for it
    # only runs between bytecodes, so a worker stuck inside lxml's C code
    # would ignore it until pebble's SIGKILL 3 s later: die at once instead.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    with contextlib.suppress(ArchiverError):
        extract_page(_WARM_UP_PAGE, "https://warm-up.invalid/")


def _context() -> BaseContext:
    """A forkserver context preloading the extractor; spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Process-wide setting, read when the forkserver first starts.
    context.set_forkserver_preload(["archiver.extract.page"])
    return context


class ExtractorPool:
    """Extract pages in ``workers`` processes, ``timeout`` seconds per page at most.

    ``await pool.extract(...)``; errors arrive as ``ExtractError`` subclasses: the
    worker's own (EmptyExtractionError...) keep their class, a page over the limit is
    ``ExtractTimeoutError``, a worker crash is a plain ``ExtractError``.

    As with any non-fork multiprocessing, a script that creates a pool must
    guard its entry point with ``if __name__ == "__main__":`` (workers
    re-import the main module); the ``archiver`` command already does.
    """

    # What a worker runs; a class attribute so tests can substitute a function.
    task: ClassVar[staticmethod[[bytes, str, str | None], Extracted]] = staticmethod(extract_page)

    def __init__(self, workers: int, timeout: float) -> None:
        if workers < 0:
            raise ValueError(f"workers must be >= 0 (0 = one per core), got {workers}")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self._closed = False
        self._pool = ProcessPool(
            max_workers=self.workers,
            max_tasks=MAX_PAGES_PER_WORKER,
            initializer=_start_worker,
            context=_context(),
        )

    # -- running pages ---------------------------------------------------------
    def _schedule(self, body: bytes, url: str, charset: str | None) -> Future[Extracted]:
        if self._closed:
            raise ExtractError("extractor pool is closed")
        try:
            future: Future[Extracted] = self._pool.schedule(
                type(self).task, args=(body, url, charset), timeout=self.timeout
            )
        except RuntimeError as exc:  # pebble: pool stopped or broken
            raise ExtractError(f"extractor pool unavailable: {exc}") from exc
        return future

    def _translate(self, exc: BaseException, url: str) -> BaseException:
        """The archiver error a failed future stands for."""
        if isinstance(exc, ArchiverError):
            return exc  # raised in the worker; pebble re-creates it with its class
        if isinstance(exc, TimeoutError):
            return ExtractTimeoutError(f"extraction exceeded {self.timeout:g}s: {url}")
        if isinstance(exc, ProcessExpired):
            return ExtractError(f"extraction worker died (exit code {exc.exitcode}): {url}")
        if isinstance(exc, BrokenProcessPool):
            return ExtractError(f"extractor pool is broken: {exc}")
        return ExtractError(f"extraction failed: {type(exc).__name__}: {exc}: {url}")

    async def extract(self, body: bytes, url: str, charset: str | None = None) -> Extracted:
        """Extract one page in a worker without blocking the event loop.

        Cancelling the awaiting task cancels the page (its worker is stopped if
        it had started).
        """
        future = self._schedule(body, url, charset)
        try:
            return await asyncio.wrap_future(future)
        except (asyncio.CancelledError, CancelledError):
            raise
        except Exception as exc:
            translated = self._translate(exc, url)
            if translated is exc:
                raise
            raise translated from exc

    # -- lifetime --------------------------------------------------------------
    def close(self, *, wait: bool = True) -> None:
        """Stop accepting pages and stop the workers. Idempotent.

        ``wait=True`` lets queued pages finish first (each bounded by the
        timeout); ``wait=False`` abandons them at once, for a daemon that must
        exit within its shutdown grace.
        """
        if self._closed:
            return
        self._closed = True
        if wait:
            self._pool.close()  # type: ignore[no-untyped-call]  # pebble leaves it unannotated
        else:
            self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> ExtractorPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)  # joining workers blocks; keep the loop free
