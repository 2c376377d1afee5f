"""One URL through fetch → extract → identify → version → store: ``archive_url``.

``archive_url`` is a plain async function over explicit services, so the same
step can run in the CLI, in the daemon, or as a job on another machine.
Database calls go to a worker thread: they may wait on SQLite's write lock
and must not stall the event loop while they do.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from archiver.archive.chrome import clean_blocks, version_in
from archiver.archive.services import Services
from archiver.archive.settle import Settled, settle
from archiver.errors import (
    ArchiverError,
    EmptyExtractionError,
    FetchTimeoutError,
    NotHTMLError,
    PageTooComplexError,
)
from archiver.fetch import FetchResult
from archiver.identify import normalize_url, resolve_identity
from archiver.records.articles import CaptureIn, CheckState, Outcome
from archiver.records.extracted import Extracted
from archiver.version import body_hash, word_count

log = logging.getLogger("archiver.archive")

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
SKIPPED = (NotHTMLError, EmptyExtractionError, PageTooComplexError)  # no article to archive


@dataclass(frozen=True, slots=True)
class AddResult:
    """What happened to one URL. ``error`` is one line, set when outcome is 'error'."""

    url: str
    outcome: Outcome
    article_id: int | None = None
    version: int | None = None
    error: str | None = None
    extracted: bool = False  # False when a 304 or an identical body skipped extraction
    failure: type[ArchiverError] | None = None  # the error's class: the edges decide what it means

    @property
    def timed_out(self) -> bool:
        """The server hung: worth one more try later, not now."""
        return self.failure is not None and issubclass(self.failure, FetchTimeoutError)

    @property
    def changed(self) -> bool:
        return self.outcome in ("new", "updated")


def _capture(result: FetchResult, *, error: str | None = None, source_id: int | None) -> CaptureIn:
    return CaptureIn(
        requested_url=result.requested_url,
        fetched_at=result.fetched_at,
        final_url=result.final_url,
        status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        content_type=result.content_type or None,
        body_hash=body_hash(result.body) if result.body and error is None else None,
        error=error,
        source_id=source_id,
        charset=result.charset,
        headers=tuple(result.headers.items()),
    )


def _check_response(result: FetchResult) -> None:
    result.raise_for_status()
    if result.content_type not in HTML_TYPES:
        raise NotHTMLError(f"not an HTML page ({result.content_type}): {result.final_url}")


async def _fetch_html(services: Services, url: str, state: CheckState | None) -> FetchResult:
    result = await services.fetcher.fetch(
        url,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
    )
    if not (result.status == 304 and state is not None):
        _check_response(result)
    return result


async def _follow_amp(
    services: Services, result: FetchResult, page: Extracted
) -> tuple[FetchResult, Extracted, tuple[str, ...]]:
    """An AMP page is archived through its canonical page, so both share one text."""
    target = page.links.amp_canonical
    if not target or normalize_url(target) == normalize_url(result.final_url):
        return result, page, ()
    if not services.identity.trusts(result.final_url, target):
        return result, page, ()  # another site's page: not this AMP page's to name
    canonical = await services.fetcher.fetch(target)
    _check_response(canonical)
    full = await services.extractor.extract(canonical.body, canonical.final_url, canonical.charset)
    return canonical, full, (result.requested_url, *result.redirects, result.final_url)


async def archive_url(url: str, services: Services, *, source_id: int | None = None) -> AddResult:
    """Archive one URL now and say what happened. Never raises an ArchiverError."""
    store = services.store
    try:
        normalized = normalize_url(url)
    except ArchiverError as exc:
        return AddResult(url, "error", error=str(exc), failure=type(exc))
    state = await asyncio.to_thread(store.check_state, [normalized])
    article_id = state.article_id if state else None
    result: FetchResult | None = None
    stats = services.stats
    try:
        result = await _fetch_html(services, normalized, state)
        stats.fetched += 1
        if state is not None and (
            result.status == 304 or body_hash(result.body) == state.body_hash
        ):
            if result.status == 304:
                stats.not_modified += 1
            else:
                stats.identical += 1
            rec = await asyncio.to_thread(
                store.record_unchanged,
                state.article_id,
                _capture(result, source_id=source_id),
                ladder=services.ladder,
            )
            log.debug("unchanged %s (article %d, not re-extracted)", url, rec.article_id)
            return AddResult(url, rec.outcome, rec.article_id, rec.version)
        page = await services.extractor.extract(result.body, result.final_url, result.charset)
        stats.extracted += 1
        result, page, amp_urls = await _follow_amp(services, result, page)
    except ArchiverError as exc:
        # Not a failure but nothing to archive (PDF, image, JSON, empty page): the
        # capture's error says so with a "skipped: " prefix rather than a new column.
        error = f"skipped: {exc}" if isinstance(exc, SKIPPED) else str(exc)
        capture = (
            _capture(result, error=error, source_id=source_id)
            if result is not None
            else CaptureIn(
                requested_url=normalized,
                fetched_at=datetime.now(UTC),
                error=error,
                source_id=source_id,
            )
        )
        if isinstance(exc, EmptyExtractionError):
            capture = replace(capture, words=0)  # extraction health: an empty extraction
        stats.errors += 1
        await asyncio.to_thread(store.record_failure, capture, article_id, ladder=services.ladder)
        log.info("error %s: %s", url, error)
        return AddResult(url, "error", article_id, error=error, failure=type(exc))
    identity = resolve_identity(
        normalized, result.final_url, (*amp_urls, *result.redirects), page.links, services.identity
    )
    site, canonical = identity.site, identity.canonical_url
    cleaned = await clean_blocks(services, page, site, canonical, learn=True)
    settled = Settled(version_in(page, cleaned.blocks))
    known = state or await asyncio.to_thread(store.check_state, list(identity.urls))
    if known is not None and known.text_hash not in (None, settled.content.text_hash):
        settled = await settle(services, known.article_id, page, site, canonical, cleaned)
    content = settled.content
    # The capture answers the URL that was asked for, even when an AMP page
    # sent us on to its canonical page.
    capture = replace(
        _capture(result, source_id=source_id),
        requested_url=normalized,
        words=word_count(content.text),
        dated=content.published is not None,
    )
    rec = await asyncio.to_thread(
        store.record,
        capture,
        result.body,
        urls=identity.urls,
        canonical_url=identity.canonical_url,
        site=identity.site,
        content=content,
        ladder=services.ladder,
        may_join=functools.partial(services.identity.trusts, result.final_url),
        tiny=settled.tiny,
    )
    level = logging.INFO if rec.outcome in ("new", "updated") else logging.DEBUG
    log.log(level, "%s %s (article %d, version %d)", rec.outcome, url, rec.article_id, rec.version)
    return AddResult(url, rec.outcome, rec.article_id, rec.version, extracted=True)
