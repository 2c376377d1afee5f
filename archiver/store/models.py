"""SQLModel tables: the one description of the schema that migrations must match.

The tables are created only by Alembic migrations (``archiver/store/migrations``);
a test runs Alembic's autogenerate comparison against this metadata so the two
can never drift apart silently. The full-text index (``article_fts``) is not
modelled here: it is dialect-specific and owned by ``search.py`` and the
migrations, and autogenerate is told to ignore it.

Names of indexes and constraints are spelled out so that both dialects, the
migration and autogenerate agree on them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from archiver.store import ops_models  # noqa: F401  (its tables join the metadata)
from archiver.store.columns import UTCDateTime, utcnow

__all__ = ["UTCDateTime", "utcnow"]  # re-exported: every model module's column types


SOURCE_ORIGINS = ("cli", "file")  # added by a command, or synced from sources.toml


class Source(SQLModel, table=True):
    """Somewhere URLs come from (a feed, a sitemap, a page of links, one URL)."""

    __tablename__ = "source"
    __table_args__ = (
        UniqueConstraint("name", name="uq_source_name"),
        CheckConstraint(
            "kind IN ('feed', 'sitemap', 'page', 'url')",
            name="ck_source_kind",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str
    url: str
    every_seconds: int | None = None
    cron: str | None = None
    include: str | None = None
    exclude: str | None = None
    paused: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Bumped by every spec change made through the Store (never by polls), so a
    # running daemon notices edits made by another process.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    origin: str = Field(default="cli", sa_column_kwargs={"server_default": "cli"})
    # Health of the polls: the last attempt, the last success, the last error.
    last_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consecutive_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    articles_found: int | None = None  # of the last successful poll
    articles_new: int | None = None
    total_new: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Links of the source document the last poll that read it skipped (revision 0008):
    # how many, and the first few named with their reason (JSON [[url, reason], ...]).
    links_skipped: int | None = None
    skipped: str | None = Field(default=None, sa_type=Text)
    # Validators of the source document, for a conditional GET.
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


class Article(SQLModel, table=True):
    """One story, whatever URLs reached it; title/published mirror its current version."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("canonical_url", name="uq_article_canonical_url"),
        Index("ix_article_first_seen", "first_seen", "id"),
        Index("ix_article_site_first_seen", "site", "first_seen"),
        Index("ix_article_source_id", "source_id"),
        Index("ix_article_next_check_at", "next_check_at", "id"),
        Index("ix_article_tiny_streak", "tiny_streak"),
        Index("ix_article_check_failures", "check_failures"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canonical_url: str
    site: str
    first_seen: datetime = Field(sa_type=UTCDateTime)
    last_checked: datetime = Field(sa_type=UTCDateTime)
    version_count: int = 0
    title: str | None = Field(default=None, sa_type=Text)
    published: str | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id")
    # Re-check ladder (archiver.version.ladder): rung ``check_step`` after
    # ``check_anchor`` is due at ``next_check_at``; None means not scheduled.
    check_anchor: datetime | None = Field(default=None, sa_type=UTCDateTime)
    check_step: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Re-checks in a row that made a version with a tiny diff (revision 0004): at
    # archiver.version.volatile.TINY_STREAK the article is flagged, and such
    # versions no longer restart its ladder (a circuit breaker).
    tiny_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The last check's error while checks keep failing (cleared by a success).
    check_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    check_error: str | None = Field(default=None, sa_type=Text)


class Alias(SQLModel, table=True):
    """A URL known to lead to an article (the canonical URL is one too)."""

    __tablename__ = "alias"
    __table_args__ = (
        Index("ix_alias_url", "url", unique=True),
        Index("ix_alias_article_id", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str
    article_id: int = Field(foreign_key="article.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Body(SQLModel, table=True):
    """A raw response body, zstd-compressed, stored once per SHA-256 of its raw bytes:
    on its own, or as a delta against another body (``base_hash``)."""

    __tablename__ = "body"

    hash: str = Field(primary_key=True)
    size: int
    data: bytes = Field(sa_type=LargeBinary)
    # Revision 0009: the body whose raw bytes are the zstd dictionary of ``data`` (the
    # article's previous body, stored on its own); None: compressed on its own.
    base_hash: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Capture(SQLModel, table=True):
    """One fetch attempt, successful or not; the audit trail of the archive."""

    __tablename__ = "capture"
    __table_args__ = (Index("ix_capture_article_fetched", "article_id", "fetched_at"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    source_id: int | None = Field(default=None, foreign_key="source.id")
    requested_url: str
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body_hash: str | None = Field(default=None, foreign_key="body.hash")
    fetched_at: datetime = Field(sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)
    # Extraction facts (revision 0003): the charset a re-extraction must decode
    # with, and what the extraction health of sources is measured from.
    charset: str | None = None
    words: int | None = None  # clean text words; 0 = no article text; None = not extracted
    dated: bool | None = None  # a published date was found
    # Response headers as fetched (revision 0005): JSON text of [name, value]
    # pairs; NULL for captures recorded before it (a WARC export synthesizes them).
    headers: str | None = Field(default=None, sa_type=Text)


class Version(SQLModel, table=True):
    """One distinct extracted text of an article; ``seq`` counts 1, 2, ... per article."""

    __tablename__ = "version"
    __table_args__ = (Index("ix_version_article_seq", "article_id", "seq", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id")
    seq: int
    title: str | None = Field(default=None, sa_type=Text)
    authors: list[str] = Field(default_factory=list, sa_type=JSON)
    published: str | None = None
    modified: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    text_hash: str
    capture_id: int = Field(foreign_key="capture.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reextraction(SQLModel, table=True):
    """A version's text replaced by re-extracting its own capture: the text it had before.

    A re-extraction (a better extractor, a newly learned site template) is not
    an edit of the article, so the version row is updated in place and keeps
    its ``seq``; this row keeps what it said before, for ``archiver history``.
    """

    __tablename__ = "reextraction"
    __table_args__ = (Index("ix_reextraction_article_seq", "article_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id")
    seq: int
    reason: str
    old_title: str | None = Field(default=None, sa_type=Text)
    old_text: str = Field(sa_type=Text)
    old_text_hash: str
    new_text_hash: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TemplateSite(SQLModel, table=True):
    """A host whose template is being learned, and how many articles taught it."""

    __tablename__ = "template_site"

    site: str = Field(primary_key=True)
    pages: int = 0


class TemplatePage(SQLModel, table=True):
    """The block fingerprints one article (canonical URL) contributed to its host's counts."""

    __tablename__ = "template_page"

    site: str = Field(primary_key=True)
    url: str = Field(primary_key=True)
    prints: str = Field(sa_type=Text)  # space-separated fingerprints
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TemplateBlock(SQLModel, table=True):
    """One block fingerprint of a host: on how many distinct articles, since which one."""

    __tablename__ = "template_block"

    site: str = Field(primary_key=True)
    fingerprint: str = Field(primary_key=True)
    pages: int
    since: int  # the host's article count when the block was first seen


class VolatileBlock(SQLModel, table=True):
    """A block of a host learned to change on its own: never an edit, removed from its text.

    ``kind`` "print": any block with this fingerprint (``key``), e.g. a ticking
    "Updated at 03:54:13". ``kind`` "slot": up to ``span`` short lines right after
    the block whose fingerprint is ``key`` ("^" for the page's start), e.g. the
    headlines of a "Most read" box that change on every fetch.
    """

    __tablename__ = "volatile_block"

    site: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    kind: str
    span: int
    article_id: int | None = None  # where it was learned
    learned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SourcePoll(SQLModel, table=True):
    """Extraction health of one successful poll of a source."""

    __tablename__ = "source_poll"
    __table_args__ = (Index("ix_source_poll_source_at", "source_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    at: datetime = Field(sa_type=UTCDateTime)
    extracted: int  # pages whose extraction was attempted
    empty: int  # no article text
    short: int  # fewer words than archiver.store.health.SHORT_WORDS
    dateless: int  # no published date


class NearSignature(SQLModel, table=True):
    """The MinHash signature of an article's current text (revision 0010): syndication clusters.

    One row per article at most, replaced whenever its current text changes
    (``archiver.store.clusters``); ``text_hash`` is the version it was computed
    from, so a signature left behind by a text that changed is known stale.
    """

    __tablename__ = "near_signature"

    article_id: int = Field(primary_key=True, foreign_key="article.id")
    text_hash: str
    scheme: str  # archiver.version.shingles.NearParams.scheme
    layout: str  # bands x rows of the keys in near_band, e.g. "9x13"
    signature: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NearBand(SQLModel, table=True):
    """One LSH band key of an article's signature: articles sharing a key are candidates."""

    __tablename__ = "near_band"
    __table_args__ = (Index("ix_near_band_key", "key", "article_id"),)

    article_id: int = Field(primary_key=True, foreign_key="article.id")
    band: int = Field(primary_key=True)
    key: int = Field(sa_type=BigInteger)


TABLES = (
    "source",
    "article",
    "alias",
    "body",
    "capture",
    "version",
    "reextraction",
    "template_site",
    "template_page",
    "template_block",
    "volatile_block",
    "source_poll",
    "near_signature",
    "near_band",
    "webhook",
    "outbox",
    "host_gate",
    "robots_file",
)
"""Every table of the schema (this module's and ``ops_models``'), in dependency order."""
