"""archive_each: bounded work in flight, hosts take turns, results as they finish."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import aclosing

import pytest

from archiver.batch import archive_all, archive_each


def _urls(hosts: int, per_host: int) -> list[str]:
    # sorted by host, as a file exported from one site after another would be
    return [f"http://h{h}.example/a/{n}" for h in range(hosts) for n in range(per_host)]


def test_in_flight_work_is_bounded_and_fair() -> None:
    running: Counter[str] = Counter()
    peak_total = 0
    peak_host: Counter[str] = Counter()
    hosts_busy_early: set[str] = set()
    started = 0

    async def step(url: str) -> str:
        nonlocal peak_total, started
        host = url.split("/")[2]
        running[host] += 1
        started += 1
        if started <= 12:
            hosts_busy_early.add(host)
        peak_total = max(peak_total, sum(running.values()))
        peak_host[host] = max(peak_host[host], running[host])
        await asyncio.sleep(0)
        running[host] -= 1
        return url

    urls = _urls(6, 500)
    results = asyncio.run(archive_all(urls, step, window=16, per_host=2))

    assert sorted(results) == sorted(urls)  # every URL, once
    assert peak_total <= 16
    assert max(peak_host.values()) <= 2
    assert len(hosts_busy_early) == 6  # a host-sorted list still keeps every host busy


def test_closing_early_cancels_what_still_runs() -> None:
    cancelled = 0

    async def step(url: str) -> str:
        nonlocal cancelled
        if url == "http://h0.example/a/0":
            return url
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled += 1
            raise
        return url

    async def first() -> str:
        async with aclosing(archive_each(_urls(4, 3), step, window=4, per_host=1)) as results:
            async for result in results:
                return result
        raise AssertionError("nothing finished")

    got = asyncio.run(asyncio.wait_for(first(), 10))
    assert got == "http://h0.example/a/0" and cancelled == 3  # the other hosts' first URLs


@pytest.mark.parametrize("bad", ["not a url", "http://[::1/x"])
def test_unparsable_urls_still_reach_the_step(bad: str) -> None:
    async def step(url: str) -> str:
        return url

    assert asyncio.run(archive_all([bad, "http://a.example/1"], step, window=2)) != []
