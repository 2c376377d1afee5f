"""Plain data crossing the store boundary: what goes in and what comes out.

Nothing here touches a database; the pipeline, CLI and web build and read these.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from archiver.errors import StoreError

Outcome = Literal["new", "updated", "unchanged", "duplicate", "error"]


@dataclass(frozen=True, slots=True)
class CaptureIn:
    """One fetch attempt to record (successful or not)."""

    requested_url: str
    fetched_at: datetime
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body_hash: str | None = None  # sha256 hex of the raw body, when there is one
    error: str | None = None
    source_id: int | None = None
    charset: str | None = None  # Content-Type charset, so a re-extraction decodes alike
    words: int | None = None  # words of the clean text; 0: nothing extracted; None: not extracted
    dated: bool | None = None  # whether a published date was found
    headers: tuple[tuple[str, str], ...] | None = None  # response headers, as fetched


@dataclass(frozen=True, slots=True)
class VersionIn:
    """Extracted content of one capture, as a candidate version."""

    title: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    site_name: str | None
    language: str | None
    description: str | None
    text: str
    text_hash: str  # archiver.version.content_hash(title, text)


@dataclass(frozen=True, slots=True)
class RecordResult:
    outcome: Outcome
    article_id: int
    version: int  # sequence number of the article's current version
    capture_id: int


@dataclass(frozen=True, slots=True)
class CheckState:
    """What a conditional re-fetch needs to know about an archived article."""

    article_id: int
    etag: str | None
    last_modified: str | None
    body_hash: str | None  # raw body hash of the last successful capture
    text_hash: str | None  # hash of the current version


@dataclass(frozen=True, slots=True)
class CaptureView:
    """One recorded fetch attempt, as stored."""

    id: int
    article_id: int | None
    source_id: int | None
    requested_url: str
    final_url: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    body_hash: str | None
    fetched_at: datetime
    error: str | None
    headers: tuple[tuple[str, str], ...] | None = None  # as fetched; None before revision 0005
    charset: str | None = None


@dataclass(frozen=True, slots=True)
class VersionView:
    article_id: int
    seq: int
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    site_name: str | None
    language: str | None
    description: str | None
    text: str
    text_hash: str
    capture_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    canonical_url: str
    site: str
    aliases: tuple[str, ...]
    first_seen: datetime
    last_checked: datetime
    version_count: int
    latest: VersionView


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    id: int
    canonical_url: str
    site: str
    title: str | None
    published: str | None
    first_seen: datetime
    last_checked: datetime
    version_count: int


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: ArticleSummary
    snippet: str  # plain text; matched terms wrapped in SNIPPET_MARK_START / _END
    rank: float  # lower is better
    extra: dict[str, str] = field(default_factory=dict)


SNIPPET_MARK_START = "\x02"
SNIPPET_MARK_END = "\x03"


SOURCE_KINDS = ("feed", "sitemap", "page", "url")
"""What a source can be: RSS/Atom feed, sitemap (or robots.txt), section page, one URL."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What a person configures about a source (CLI or ``sources.toml``).

    ``every_seconds`` is stored in whole seconds (rounded).
    """

    name: str
    kind: str  # 'feed', 'sitemap', 'page' or 'url'
    url: str
    every_seconds: float | None
    cron: str | None
    include: str | None  # URL filter patterns, interpreted by the daemon
    exclude: str | None
    paused: bool = False


@dataclass(frozen=True, slots=True)
class SourceView:
    """A source as stored: its spec, where it came from, and the health of its polls."""

    id: int
    name: str
    kind: str
    url: str
    every_seconds: float | None
    cron: str | None
    include: str | None
    exclude: str | None
    paused: bool
    origin: str  # 'cli' (added by a command) or 'file' (synced from sources.toml)
    created_at: datetime
    updated_at: datetime  # last change of the spec (not of the poll health)
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None  # the most recent error, kept after later successes
    last_error_at: datetime | None
    consecutive_failures: int
    articles_found: int | None  # links found by the last successful poll (None: never)
    articles_new: int | None  # of those, how many were new to the archive
    total_new: int
    article_count: int  # articles first archived through this source
    etag: str | None  # validators of the source document, for a conditional GET
    last_modified: str | None
    body_hash: str | None
    # Links of the source document the last poll that read it did not take (None: never
    # counted): how many, and the first SKIPPED_KEPT of them as (url, reason).
    links_skipped: int | None = None
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def spec(self) -> SourceSpec:
        return SourceSpec(
            name=self.name,
            kind=self.kind,
            url=self.url,
            every_seconds=self.every_seconds,
            cron=self.cron,
            include=self.include,
            exclude=self.exclude,
            paused=self.paused,
        )


@dataclass(frozen=True, slots=True)
class DueCheck:
    """An article whose next re-check is due."""

    article_id: int
    url: str  # its canonical URL


@dataclass(frozen=True, slots=True)
class CheckFlag:
    """An article in the re-check health: flagged for tiny versions, or failing checks."""

    article_id: int
    url: str
    title: str | None
    tiny_streak: int  # re-checks in a row that made a version with a tiny diff
    failures: int  # checks in a row that failed
    error: str | None  # the last failed check's error
    last_checked: datetime


@dataclass(frozen=True, slots=True)
class RecheckHealth:
    """Re-check health: totals and the first few articles of each kind."""

    flagged_total: int
    flagged: list[CheckFlag]
    failing_total: int
    failing: list[CheckFlag]


@dataclass(frozen=True, slots=True)
class StatusView:
    articles: int
    versions: int
    captures: int
    bodies: int
    sources: list[SourceView]
    due_checks: int  # re-checks due now


def require_aware(moment: datetime) -> None:
    """Refuse naive datetimes up front: the store cannot know which zone they meant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise StoreError(f"naive datetime {moment.isoformat()}: the store needs aware (UTC) times")
