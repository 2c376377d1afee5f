"""Archive many URLs with bounded work in flight, fairly across hosts.

A batch of any size (``add --from-file`` with 20,000 lines, a sitemap listing
50,000 articles, a re-check scan) runs at most ``window`` archive steps at
once, and at most ``per_host`` of them for one host: the fetcher lets one
request per host through at a time anyway, so a deeper queue for one host only
holds memory, database calls and worker threads that other hosts could use
(with every URL in flight at once, DNS lookups waited behind thousands of
store calls and timed out). Hosts take turns, so a list sorted by host still
keeps every host busy. Results come out as each step finishes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
PER_HOST = 2  # one step fetching while the previous one extracts and stores
WINDOW_PER_SLOT = 4  # in-flight steps per fetch.concurrency slot


def window_for(concurrency: int) -> int:
    """Archive steps a batch keeps in flight for ``fetch.concurrency`` request slots."""
    return max(PER_HOST, concurrency * WINDOW_PER_SLOT)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""  # not a URL: the step reports it, in a queue of its own


class _Turns:
    """URLs queued per host; hands out the next URL of a host below its limit."""

    def __init__(self, urls: Iterable[str], per_host: int) -> None:
        self._queues: OrderedDict[str, deque[str]] = OrderedDict()
        for url in urls:
            self._queues.setdefault(_host(url), deque()).append(url)
        self._busy: dict[str, int] = {}
        self._per_host = per_host

    def next(self) -> str | None:
        for host, queue in self._queues.items():
            if self._busy.get(host, 0) < self._per_host:
                url = queue.popleft()
                if not queue:
                    del self._queues[host]
                else:
                    self._queues.move_to_end(host)  # round robin
                self._busy[host] = self._busy.get(host, 0) + 1
                return url
        return None

    def done(self, url: str) -> None:
        host = _host(url)
        self._busy[host] -= 1
        if not self._busy[host]:
            del self._busy[host]


async def archive_each(
    urls: Iterable[str],
    step: Callable[[str], Coroutine[Any, Any, T]],
    *,
    window: int,
    per_host: int = PER_HOST,
) -> AsyncGenerator[T, None]:
    """Run ``step`` on every URL, ``window`` at most at once; yield results as they finish.

    Closing the iterator early (``aclose``, e.g. through ``contextlib.aclosing``) or
    cancelling its consumer (Ctrl-C, shutdown) cancels the steps still running.
    """
    turns = _Turns(urls, per_host)
    running: dict[asyncio.Task[T], str] = {}
    try:
        while True:
            while len(running) < window and (url := turns.next()) is not None:
                running[asyncio.create_task(step(url))] = url
            if not running:
                return
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                turns.done(running.pop(task))
                yield task.result()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


async def archive_all(
    urls: Iterable[str],
    step: Callable[[str], Coroutine[Any, Any, T]],
    *,
    window: int,
    per_host: int = PER_HOST,
) -> list[T]:
    """``archive_each``, collected (in the order the steps finished)."""
    return [result async for result in archive_each(urls, step, window=window, per_host=per_host)]
