"""The fetch stage's sense of time: one seam for TTLs, spacing, backoff and retries.

Politeness spacing, host backoff, robots.txt expiry and retry waits all read
``Clock.monotonic`` and wait with ``Clock.sleep``; a ``Fetcher`` uses the real
clock unless given another one, so tests can make time pass without waiting
for it (``tests/fetch/clock.py``).
"""

from __future__ import annotations

import asyncio
import time


class Clock:
    """Monotonic seconds and sleeping, as the system provides them."""

    __slots__ = ()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM = Clock()
"""The real clock (stateless; shared by every Fetcher that is not given one)."""
