"""A clock for fetch tests: time passes when the code sleeps, not when the test waits."""

from __future__ import annotations

import asyncio

from archiver.fetch.clock import Clock


class FakeClock(Clock):
    """Starts at 1000 s; ``sleep`` moves it on at once (and yields to the event loop),
    ``advance`` moves it on from the test. ``slept`` lists every wait the code asked for."""

    __slots__ = ("now", "slept")

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.now += seconds
