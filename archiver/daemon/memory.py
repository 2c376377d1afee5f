"""Keep a long-running process's memory flat on glibc.

Python returns freed objects to its own allocator, and that allocator returns
memory to the C allocator; glibc's malloc keeps what it got back in the heap
("arena") of the thread that freed it, one arena per thread up to 8 per core.
The daemon's store calls run on a pool of threads and SQLite, lxml, zstd and
the TLS stack allocate there, so free memory scattered over many arenas is
never given back and the resident size creeps up over hours although no Python
object is kept (a tracemalloc probe of the soak benchmark showed it).

Three standard glibc remedies, all no-ops elsewhere (musl, macOS, Windows):

* ``limit_arenas``: at most ``arenas`` malloc arenas (``M_ARENA_MAX``, what the
  ``MALLOC_ARENA_MAX`` environment variable sets), so threads share heaps, and a
  fixed mmap threshold (``M_MMAP_THRESHOLD``, ``MMAP_THRESHOLD``): every
  allocation that large (a response body, a zstd window, a decoded page) gets
  its own mapping, unmapped when freed. glibc otherwise raises the threshold
  each time such a block is freed, up to 32 MB, after which the large buffers of
  every fetch are carved out of the heaps and leave holes there;
* ``trim``: ``malloc_trim(0)`` hands the free pages of every arena back to the
  kernel; the daemon calls it after each re-check scan, at most once per
  ``TRIM_EVERY`` seconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable
from functools import cache

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter number for the arena limit (malloc.h)."""
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number for the mmap threshold (malloc.h)."""
MMAP_THRESHOLD = 256 * 1024
"""Allocations of at least this many bytes are mapped on their own (glibc's default
starts at 128 KiB and moves)."""
ARENAS = 2
"""Malloc arenas the daemon allows (glibc's default: 8 per core)."""
TRIM_EVERY = 60.0
"""Seconds between two ``malloc_trim`` calls at most."""


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None  # not glibc
    return libc


def limit_arenas(arenas: int = ARENAS, mmap_threshold: int = MMAP_THRESHOLD) -> bool:
    """Limit glibc to ``arenas`` malloc arenas and fix its mmap threshold (call before
    the worker threads start)."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas)) and bool(
        libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
    )


class Trimmer:
    """``malloc_trim(0)``, at most once per ``every`` seconds of ``monotonic``."""

    def __init__(
        self, every: float = TRIM_EVERY, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self._monotonic = monotonic
        self._last: float | None = None

    def __call__(self) -> bool:
        """Trim now unless the last trim was less than ``every`` seconds ago."""
        now = self._monotonic()
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        libc = _libc()
        if libc is None:
            return False
        libc.malloc_trim(0)
        return True
