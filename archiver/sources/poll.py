"""Poll one source: discover article URLs, archive the ones not seen before.

A plain async function over explicit inputs (the source as read from the
store, the pipeline services), so it can run in the daemon, in
``archiver source run`` or as a queued job on another machine.
Known URLs are not fetched again here: the re-check ladder owns them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from archiver.archive import AddResult, Services, archive_url
from archiver.batch import archive_all
from archiver.errors import ArchiverError
from archiver.fetch import FetchResult
from archiver.records.articles import SourceView
from archiver.sources import compile_filter, parse_feed, parse_page
from archiver.sources.filters import Skipped
from archiver.sources.walk import SitemapCache, sitemap_urls
from archiver.version import body_hash

log = logging.getLogger("archiver.daemon")

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
Progress = Callable[[int, int], None]
OnDone = Callable[[AddResult], None]
FAILURES_NAMED = 3  # failed article URLs named in the poll's warning (``archiver status``)


@dataclass(frozen=True, slots=True)
class PollResult:
    source: str
    found: int = 0  # candidate article URLs in the source document(s)
    new: int = 0  # articles archived for the first time
    failed: int = 0  # candidate URLs that could not be archived
    unchanged: bool = False  # the source document itself was unchanged (304 / same bytes)
    error: str | None = None  # the poll as a whole failed
    timed_out: tuple[str, ...] = ()  # article URLs whose server hung: worth one later try
    warnings: tuple[str, ...] = ()  # damage the poll worked around (a cut-off sitemap)
    skipped: tuple[Skipped, ...] = ()  # links of the source documents that are no candidates
    failures: tuple[tuple[str, str], ...] = ()  # (article URL, error) of each one that failed


@dataclass(frozen=True, slots=True)
class _Document:
    result: FetchResult
    unchanged: bool


async def _fetch(services: Services, url: str, source: SourceView | None = None) -> _Document:
    result = await services.fetcher.fetch(
        url,
        etag=source.etag if source else None,
        last_modified=source.last_modified if source else None,
        accept=FEED_ACCEPT,
    )
    if result.status == 304 and source is not None:
        return _Document(result, True)
    result.raise_for_status()
    same = source is not None and source.body_hash == body_hash(result.body)
    return _Document(result, same)


@dataclass(frozen=True, slots=True)
class Found:
    """What discovery found: candidate URLs, the document (None for a sitemap tree), the
    damage worked around and every link that is no candidate, with why."""

    urls: list[str]
    doc: _Document | None = None
    damage: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


async def discover_urls(
    source: SourceView, services: Services, sitemaps: SitemapCache | None = None
) -> Found:
    """Candidate article URLs of a feed/sitemap/page source (raises ArchiverError).

    An unchanged feed or page (304, same bytes) has nothing new to offer. A
    sitemap source is a tree of documents, each fetched conditionally through
    ``sitemaps`` (see archiver.sources.walk).
    """
    if source.kind == "sitemap":
        walked = await sitemap_urls(services, source.url, sitemaps or SitemapCache())
        skipped = list(walked.skipped)
        return Found(_filtered(source, walked.urls, skipped), None, walked.damage, skipped)
    doc = await _fetch(services, source.url, source)
    if doc.unchanged:
        return Found([], doc)
    top = doc.result
    if source.kind == "page":
        found = parse_page(top.body, top.final_url, include=source.include, exclude=source.exclude)
        return Found(found.articles, doc, found.damage, found.skipped)
    feed = parse_feed(top.body, top.final_url, top.headers.get("content-location"))
    skipped = list(feed.skipped)
    return Found(_filtered(source, feed.articles, skipped), doc, feed.damage, skipped)


def _filtered(source: SourceView, urls: list[str], skipped: list[Skipped]) -> list[str]:
    include = compile_filter(source.include, option="--include")
    exclude = compile_filter(source.exclude, option="--exclude")
    kept = []
    for url in urls:
        if include is not None and not include.search(url):
            skipped.append(Skipped(url, "not included"))
        elif exclude is not None and exclude.search(url):
            skipped.append(Skipped(url, "excluded"))
        else:
            kept.append(url)
    return kept


async def _archive_all(
    urls: list[str],
    services: Services,
    source_id: int,
    progress: Progress | None,
    on_done: OnDone | None = None,
) -> list[AddResult]:
    done = 0

    async def one(url: str) -> AddResult:
        nonlocal done
        result = await archive_url(url, services, source_id=source_id)
        done += 1
        if on_done:
            on_done(result)
        if progress:
            progress(done, len(urls))
        return result

    return await archive_all(urls, one, window=services.window)


async def poll_source(
    source: SourceView,
    services: Services,
    *,
    progress: Progress | None = None,
    sitemaps: SitemapCache | None = None,
    on_done: OnDone | None = None,
) -> PollResult:
    """Poll once and record the source's health in the store.

    ``on_done`` is called with each article URL's result as soon as it is archived (not
    for a ``url`` source: its one URL's failure is the poll's). Article URLs that failed
    are in the result's ``failures`` and, summed up, in the source's last error."""
    store, started, at = services.store, time.monotonic(), datetime.now(UTC)
    try:
        if source.kind == "url":
            results = await _archive_all([source.url], services, source.id, progress)
            if results[0].outcome == "error":
                if results[0].timed_out:
                    await asyncio.to_thread(
                        store.record_poll, source.id, at=at, found=0, new=0, error=results[0].error
                    )
                    log.warning("source %s poll failed: %s", source.name, results[0].error)
                    return PollResult(source.name, error=results[0].error, timed_out=(source.url,))
                raise ArchiverError(results[0].error or "error")
            discovered = Found([source.url])
        else:
            discovered = await discover_urls(source, services, sitemaps)
        urls, doc, damage = discovered.urls, discovered.doc, discovered.damage
        if source.kind != "url":
            known = await asyncio.to_thread(store.known_urls, urls)
            results = await _archive_all(
                [u for u in urls if u not in known], services, source.id, progress, on_done
            )
    except ArchiverError as exc:
        await asyncio.to_thread(store.record_poll, source.id, at=at, found=0, new=0, error=str(exc))
        log.warning("source %s poll failed: %s", source.name, exc)
        return PollResult(source.name, error=str(exc))
    new = sum(1 for r in results if r.outcome == "new")
    failed = sum(1 for r in results if r.outcome == "error")
    validators = {}
    if doc is not None and not doc.unchanged:
        validators = {
            "etag": doc.result.etag,
            "last_modified": doc.result.last_modified,
            "body_hash": body_hash(doc.result.body),
        }
    unchanged = doc is not None and doc.unchanged
    # An unchanged document still lists what it listed last time.
    found = (source.articles_found or 0) if unchanged else len(urls)
    failures = tuple((r.url, r.error or "error") for r in results if r.outcome == "error")
    warning = "; ".join([*damage, *_failures_line(failures, len(results))])[:2000] or None
    # The links the documents read did not give (an unchanged feed was not read again).
    read = source.kind != "url" and not unchanged
    skipped = [(k.url, k.reason) for k in discovered.skipped] if read else None
    await asyncio.to_thread(
        store.record_poll, source.id, at=at, found=found, new=new, error=None, warning=warning,
        skipped=skipped, **validators,
    )  # fmt: skip
    if damage:  # failed articles were logged by the archive step, one by one
        log.warning("source %s: %s", source.name, "; ".join(damage)[:2000])
    log.info(
        "source %s polled: %s, %d found, %d new, %d failed, %d links skipped (%.1fs)",
        source.name, "unchanged" if unchanged else "changed", len(urls), new, failed,
        len(discovered.skipped), time.monotonic() - started,
    )  # fmt: skip
    hung = tuple(r.url for r in results if r.timed_out)
    return PollResult(
        source.name, len(urls), new, failed, unchanged, timed_out=hung, warnings=tuple(damage),
        failures=failures, skipped=tuple(discovered.skipped),
    )  # fmt: skip


def _failures_line(failures: tuple[tuple[str, str], ...], tried: int) -> list[str]:
    """The failed article URLs of a poll as one short line for the source's last error."""
    if not failures:
        return []
    named = "; ".join(
        error if url in error else f"{url}: {error}" for url, error in failures[:FAILURES_NAMED]
    )  # each URL named once: many errors name it already
    more = len(failures) - FAILURES_NAMED
    tail = f"; and {more} more" if more > 0 else ""
    return [f"{len(failures)} of {tried} articles failed: {named}{tail}"]
