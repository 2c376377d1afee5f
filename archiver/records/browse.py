"""Plain records of browsing: filters, keyset cursors, pages and counts of articles.

What the web UI, its API and the CLI's listings ask the store for and get back
(``archiver.store.browse`` answers them); no database in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from archiver.errors import InputError
from archiver.records.articles import ArticleSummary, SearchHit, require_aware

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FACET_LIMIT = 50
"""Most sites (sources, authors, languages) listed with their counts."""
SORT_KEYS = ("first_seen", "published", "changed", "versions")
"""What a listing can be ordered by: first seen, the page's own published date, the time
of the latest version (last changed), the number of versions."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a listing: the (first_seen, id) of one article.

    In the default order (first seen) both count; in another order only the id
    does: the store reads that article's own sort key, so a cursor stays valid
    (and keeps its form) whatever the listing is sorted by."""

    first_seen: datetime
    id: int

    def token(self) -> str:
        """An opaque, URL-safe form: microseconds since the epoch and the id."""
        micros = (self.first_seen - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        micros, dot, ident = token.partition(".")
        if not (dot and micros.isdigit() and ident.isdigit() and len(token) <= 40):
            raise InputError(f"not a page cursor: {token!r}")
        try:
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(ident))
        except OverflowError as exc:
            raise InputError(f"not a page cursor: {token!r}") from exc

    @classmethod
    def of(cls, item: ArticleSummary) -> Cursor:
        return cls(item.first_seen, item.id)


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles to show: one site, one source, first seen in [since, until), and
    (of the current version) one author and one language."""

    site: str | None = None
    source: str | None = None  # a source name: articles first archived through it
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    author: str | None = None  # one of the current version's authors, exactly
    language: str | None = None  # the current version's language, exactly

    def __post_init__(self) -> None:
        for moment in (self.since, self.until):
            if moment is not None:
                require_aware(moment)


@dataclass(frozen=True, slots=True)
class Sort:
    """The order of a listing: one of ``SORT_KEYS``, descending (the default) or ascending.

    Ties are broken by id (in the same direction); articles without a published
    date come last in both directions of ``published``."""

    key: str = "first_seen"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise InputError(f"sort: one of {', '.join(SORT_KEYS)} (got {self.key!r})")

    @property
    def default(self) -> bool:
        return self == Sort()


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """One page of a listing. ``newer``/``older`` are the page's edges in its own order
    (for the default order, newer and older by first seen)."""

    items: list[ArticleSummary]
    newer: Cursor | None  # pass as ``before`` for the previous page; None: the first page
    older: Cursor | None  # pass as ``after`` for the next page; None: the last page
    changed: dict[int, datetime] = field(default_factory=dict)  # id: its latest version's time


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str  # a site, or a source name
    articles: int


@dataclass(frozen=True, slots=True)
class ArticleCounts:
    """How many articles match a filter, and per site / source / author / language (each
    under the other filters, biggest first, ``FACET_LIMIT`` at most)."""

    total: int
    sites: list[FacetCount]
    sources: list[FacetCount]
    authors: list[FacetCount] = field(default_factory=list)  # of the current versions
    languages: list[FacetCount] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[SearchHit]
    total: int  # every match under the filter, not only this page


@dataclass(frozen=True, slots=True)
class AliasView:
    url: str
    created_at: datetime  # when archiver first saw this URL lead to the article


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """The fetch attempts of one article: how many, when, and how many failed."""

    count: int
    errors: int
    first: datetime | None
    last: datetime | None
    last_error: str | None
