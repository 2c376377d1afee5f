"""ExtractorPool: pages run in worker processes, bounded in time, errors keep their class."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from archiver.errors import EmptyExtractionError, ExtractError, ExtractTimeoutError
from archiver.extract import Extracted, ExtractorPool, extract_page
from tests.fixtures.seedpages import seed_page

URL = "https://news.example.com/story"
TIMEOUT = 2.0
"""The per-page limit of the pool that must stop ``pathological_page``. Other tests use
``pool``, whose limit only guards against a hung worker: on a loaded 2-core machine even
an empty page can wait more than a second for a CPU."""


def pathological_page() -> bytes:
    """~5 MB of table: trafilatura needs seconds for it, far over TIMEOUT."""
    row = "<tr>" + "<td>cell text here</td>" * 10 + "</tr>"
    return f"<html><body><table>{row * 20000}</table></body></html>".encode()


def crash(body: bytes, url: str, charset: str | None) -> Extracted:
    """Stands in for extract_page: the worker dies as on a segfault or the OOM killer."""
    os._exit(3)


class CrashingPool(ExtractorPool):
    task = staticmethod(crash)


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractorPool]:
    with ExtractorPool(workers=2, timeout=60) as extractor:
        yield extractor


@pytest.fixture(scope="module")
def tight() -> Iterator[ExtractorPool]:
    with ExtractorPool(workers=1, timeout=TIMEOUT) as extractor:
        yield extractor


@pytest.fixture(scope="module")
def article() -> bytes:
    return seed_page(1, url=URL).html.encode()


def test_async_extract_equals_extract_page(pool: ExtractorPool, article: bytes) -> None:
    async def run() -> list[Extracted]:
        return await asyncio.gather(*(pool.extract(article, URL, "utf-8") for _ in range(4)))

    results = asyncio.run(run())
    assert results == [extract_page(article, URL, "utf-8")] * 4


def test_one_extract_equals_extract_page(pool: ExtractorPool, article: bytes) -> None:
    assert asyncio.run(pool.extract(article, URL)) == extract_page(article, URL)


def test_worker_errors_keep_their_class(pool: ExtractorPool) -> None:
    with pytest.raises(EmptyExtractionError, match="no article text found"):
        asyncio.run(pool.extract(b"<html><body></body></html>", URL))


def test_slow_page_times_out_and_the_pool_recovers(tight: ExtractorPool, article: bytes) -> None:
    async def run() -> Extracted:
        with pytest.raises(ExtractTimeoutError, match=r"exceeded 2s"):
            await tight.extract(pathological_page(), URL)
        return await tight.extract(article, URL)

    assert asyncio.run(run()) == extract_page(article, URL)
    # and again, on the replacement worker
    with pytest.raises(ExtractTimeoutError):
        asyncio.run(tight.extract(pathological_page(), URL))
    assert asyncio.run(tight.extract(article, URL)).title == seed_page(1, url=URL).title


def test_worker_crash_is_an_extract_error(article: bytes) -> None:
    with CrashingPool(workers=1, timeout=5) as crashing:
        with pytest.raises(ExtractError, match="worker died") as info:
            asyncio.run(crashing.extract(article, URL))
        assert type(info.value) is ExtractError


def test_closed_pool_refuses_work(article: bytes) -> None:
    extractor = ExtractorPool(workers=1, timeout=5)
    extractor.close()
    extractor.close()  # idempotent
    with pytest.raises(ExtractError, match="closed"):
        asyncio.run(extractor.extract(article, URL))


def test_async_context_manager(article: bytes) -> None:
    async def run() -> str | None:
        async with ExtractorPool(workers=1, timeout=5) as extractor:
            return (await extractor.extract(article, URL)).title

    assert asyncio.run(run()) == seed_page(1, url=URL).title


def test_zero_workers_means_one_per_core() -> None:
    extractor = ExtractorPool(workers=0, timeout=1)
    try:
        assert extractor.workers == (os.cpu_count() or 1)
    finally:
        extractor.close()


@pytest.mark.parametrize(("workers", "timeout"), [(-1, 1.0), (1, 0.0), (1, -2.0)])
def test_invalid_settings(workers: int, timeout: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        ExtractorPool(workers=workers, timeout=timeout)
