"""Fetch one URL in a fresh process and report its peak memory, as JSON on stdout.

Run by the bomb tests and ``bench/hostile.py`` as
``python -m tests.reliability.measure URL WARM_URL [MAX_BODY_BYTES] [TOTAL_TIMEOUT]``:
a fresh process has nothing else in its heap, so the growth of its peak
resident set (VmHWM) across the fetch is what the fetch cost. ``WARM_URL`` is
fetched first so that imports and first-call costs are in the baseline.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any

from archiver.config import FetchSettings
from archiver.errors import ArchiverError
from archiver.fetch import Fetcher


def peak_kib() -> int:
    """The process's peak resident set so far, in KiB.

    VmHWM, not ``getrusage().ru_maxrss``: Linux carries ru_maxrss across
    ``execve``, so a child of a big process (pytest: ~110 MiB) would report its
    parent's size. ru_maxrss is only the fallback where /proc is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


async def measure(url: str, warm_url: str, **overrides: Any) -> dict[str, Any]:
    settings = FetchSettings(
        allow_private_networks=True, per_host_delay=0, respect_robots=False, max_retries=0,
        **overrides,
    )  # fmt: skip
    async with Fetcher(settings) as fetcher:
        await fetcher.fetch(warm_url)
        baseline = peak_kib()
        started = time.monotonic()
        error: str | None = None
        body_size: int | None = None
        try:
            body_size = len((await fetcher.fetch(url)).body)
        except ArchiverError as exc:
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
    peak = peak_kib()
    return {
        "baseline_kib": baseline,
        "peak_kib": peak,
        "growth_kib": peak - baseline,
        "elapsed": elapsed,
        "error": error,
        "body_size": body_size,
        "max_body_bytes": settings.max_body_bytes,
    }


def main(argv: list[str]) -> None:
    url, warm_url, *rest = argv
    overrides: dict[str, Any] = {}
    if rest:
        overrides["max_body_bytes"] = int(rest[0])
    if len(rest) > 1:
        overrides["total_timeout"] = float(rest[1])
    print(json.dumps(asyncio.run(measure(url, warm_url, **overrides))))


if __name__ == "__main__":
    main(sys.argv[1:])
