"""What each page (and its API twin) reads from the store, in one worker-thread call,
and the state-changing actions both the forms and the API run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from archiver.archive import AddResult, Services, archive_url
from archiver.errors import ConflictError, InputError, NotFoundError
from archiver.identify import normalize_url
from archiver.records.articles import (
    ArticleSummary,
    ArticleView,
    SearchHit,
    SourceView,
    VersionView,
)
from archiver.records.browse import AliasView, ArticleCounts, ArticlePage, CaptureStats, SearchPage
from archiver.records.clusters import NearDuplicate
from archiver.records.learning import ReextractionView
from archiver.sources.specs import make_spec
from archiver.store import Store
from archiver.version import VersionDiff, diff_versions
from archiver.web.actions import check_every, field_errors
from archiver.web.params import Filters, Paging

MAX_ID = 2**63 - 1
SNIPPET_CHARS = 200


def _check_id(article_id: int) -> None:
    if not 0 < article_id <= MAX_ID:
        raise NotFoundError(f"no archived article matches {article_id}")


@dataclass(frozen=True, slots=True)
class Listing:
    page: ArticlePage
    counts: ArticleCounts


def listing(store: Store, filters: Filters, paging: Paging) -> Listing:
    found = store.browse(
        filters.filt,
        limit=paging.limit,
        after=paging.after,
        before=paging.before,
        sort=paging.sort,
    )
    return Listing(found, store.browse_counts(filters.filt))


@dataclass(frozen=True, slots=True)
class Found:
    page: SearchPage
    counts: ArticleCounts  # of the filter alone, for the filter menus

    @property
    def hits(self) -> list[SearchHit]:
        return self.page.hits


def searching(store: Store, query: str, filters: Filters, limit: int, number: int) -> Found:
    found = store.search_filtered(query, filters.filt, limit=limit, offset=(number - 1) * limit)
    return Found(found, store.browse_counts(filters.filt))


@dataclass(frozen=True, slots=True)
class Detail:
    article: ArticleView
    version: VersionView
    aliases: list[AliasView]
    captures: CaptureStats
    near: list[NearDuplicate]  # "also published at": near duplicates of its current text


def detail(store: Store, article_id: int, seq: int | None) -> Detail:
    _check_id(article_id)
    article = store.article(article_id)
    version = store.version(article_id, seq) if seq else article.latest
    return Detail(
        article,
        version,
        store.aliases(article_id),
        store.capture_stats(article_id),
        store.near_duplicates(article_id),
    )


def history(store: Store, article_id: int) -> tuple[ArticleView, list[VersionView]]:
    _check_id(article_id)
    return store.article(article_id), store.versions(article_id)


def corrections(store: Store, article_id: int) -> list[ReextractionView]:
    """The article's in-place re-extractions (``archiver reextract``), by version; a
    correction's number in the web and the API is its place in this list, from 1."""
    _check_id(article_id)
    return store.reextractions(article_id)


def known_url(store: Store, text: str) -> ArticleView | None:
    """The article an archived URL leads to, when ``text`` is one (the web search and
    ``/api/search`` both go straight to it)."""
    if not text.lower().startswith(("http://", "https://")):
        return None
    try:
        return store.article(normalize_url(text))
    except (InputError, NotFoundError):
        return None


def url_hit(article: ArticleView) -> SearchHit:
    """An article found by its URL, as a search result (the best one: rank 0)."""
    latest = article.latest
    summary = ArticleSummary(
        article.id, article.canonical_url, article.site, latest.title, latest.published,
        article.first_seen, article.last_checked, article.version_count,
    )  # fmt: skip
    return SearchHit(summary, latest.text[:SNIPPET_CHARS].strip(), 0.0)


@dataclass(frozen=True, slots=True)
class Compared:
    article: ArticleView
    versions: list[VersionView]
    diff: VersionDiff


def compare(store: Store, article_id: int, from_seq: int | None, to_seq: int | None) -> Compared:
    """Default: the previous version against the latest (like ``archiver diff``)."""
    article, versions = history(store, article_id)
    new = to_seq or article.version_count
    old = from_seq or max(1, new - 1)
    by_seq = {v.seq: v for v in versions}
    for seq in (old, new):
        if seq not in by_seq:
            raise NotFoundError(f"article {article_id} has no version {seq}")
    return Compared(article, versions, diff_versions(by_seq[old], by_seq[new]))


# -- actions ---------------------------------------------------------------------


async def add_url(services: Services, url: str) -> AddResult:
    """Archive ``url`` now, exactly as ``archiver add`` does."""
    if not url.strip():
        raise InputError("url: give the address of a page to archive")
    return await archive_url(url.strip(), services)


SOURCE_FIELDS = ("url", "kind", "name", "every", "cron", "include", "exclude")


def _given(value: str | float | None) -> str | float | None:
    """A form field or JSON value: trimmed, and empty counts as absent."""
    return (value.strip() or None) if isinstance(value, str) else value


def add_source(store: Store, fields: Mapping[str, str | float | None]) -> SourceView:
    """Check the fields like ``archiver source add`` does, then add the source.

    ``every`` may be a number of seconds (JSON); every other field is text.
    A name that is taken is a ConflictError.
    """
    given = {k: _given(fields.get(k)) for k in SOURCE_FIELDS}
    text = {k: v if isinstance(v, str) else None for k, v in given.items()}
    url, kind = text["url"], text["kind"]
    if url is None or kind is None:
        raise InputError("url and kind are required to add a source")
    check_every(given["every"])
    with field_errors():  # the shared checks name CLI options: here they are fields
        spec = make_spec(
            url,
            kind=kind,
            name=text["name"],
            every=given["every"],
            cron=text["cron"],
            include=text["include"],
            exclude=text["exclude"],
        )
    try:
        store.source(spec.name)
    except NotFoundError:
        return store.add_source(spec)
    raise ConflictError(f"source '{spec.name}' already exists")


def set_paused(store: Store, name: str, paused: bool) -> SourceView:
    return store.set_paused(name, paused)
