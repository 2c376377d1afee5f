"""Every shape the JSON API reads or writes, defined once as a pydantic model.

The API validates its query parameters and bodies with the request models
here, every JSON response goes through its response model on the way out, and
``openapi.py`` builds the OpenAPI document from these models' JSON Schemas:
what the document promises is what the code checks and sends.

Request rules (stricter than the pages, which treat an untouched form field
as absent): a parameter given is checked as the document says, so an empty
``limit=`` is a 400 like ``limit=x``; unknown parameters are ignored; a
parameter given twice is a 400. Keys of the responses are the CLI's
``--json`` keys (``browse_json.py``). The validated field types the models are
made of live in ``fields.py``; turning a request into a model (and pydantic's
errors into one line) in ``reading.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from archiver.web.fields import (
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_URL_CHARS,
    CursorToken,
    Kind,
    Limit,
    Outcome,
    SearchPageNumber,
    Seq,
    Since,
    Site,
    SortKey,
    Text,
    Time,
    Until,
)


class Shape(BaseModel):
    """Every model: unknown keys refused, every response key always present."""

    model_config = ConfigDict(
        extra="forbid", json_schema_serialization_defaults_required=True, populate_by_name=True
    )


# -- requests ------------------------------------------------------------------


class Query(Shape):
    """Query parameters (a nested model is a group of them: OpenAPI ``style: form``)."""

    model_config = ConfigDict(extra="ignore")


class PageCursor(Query):
    """Where a page starts: ``after`` or ``before`` a cursor from ``next`` / ``prev`` (one)."""

    model_config = ConfigDict(json_schema_extra={"maxProperties": 1})

    after: CursorToken | SkipJsonSchema[None] = Field(
        None, description="Cursor: the page after (older), from `next`."
    )
    before: CursorToken | SkipJsonSchema[None] = Field(
        None, description="Cursor: the page before (newer), from `prev`."
    )

    @model_validator(mode="after")
    def _one(self) -> PageCursor:
        if self.after is not None and self.before is not None:
            raise ValueError("give one page cursor: 'after' or 'before', not both")
        return self


class FilterQuery(Query):
    site: Site | SkipJsonSchema[None] = Field(
        None, description="Only articles of this host (a leading www. is dropped)."
    )
    source: Text | SkipJsonSchema[None] = Field(
        None, description="Only articles first archived through this source."
    )
    since: Since | SkipJsonSchema[None] = Field(
        None, description="First seen at or after this RFC 3339 date or date-time (UTC)."
    )
    until: Until | SkipJsonSchema[None] = Field(
        None,
        description=(
            "First seen before this date-time, or on or before this date."
            " An empty range (until before since) matches nothing."
        ),
    )
    author: Text | SkipJsonSchema[None] = Field(
        None, description="Only articles whose current version names this author (exactly)."
    )
    language: Text | SkipJsonSchema[None] = Field(
        None, description="Only articles whose current version is in this language (e.g. ja)."
    )


class ArticlesQuery(FilterQuery):
    limit: Limit = Field(DEFAULT_LIMIT, description="Items per page, 1-100.")
    sort: SortKey = Field(
        "first_seen",
        description=(
            "Order by first seen, the page's published date (undated last), the time of"
            " the latest version (last changed) or the number of versions."
        ),
    )
    order: Literal["desc", "asc"] = Field("desc", description="Descending (default) or ascending.")
    cursor: PageCursor = Field(
        default_factory=PageCursor,
        description="At most one of `after` and `before`, as plain parameters.",
    )


class SearchQuery(FilterQuery):
    q: Text = Field(description='Words, "a phrase", or, -word; or an archived article\'s URL.')
    limit: Limit = Field(DEFAULT_LIMIT, description="Results per page, 1-100.")
    page: SearchPageNumber = Field(1, description="Page of results, 1-50.")


class ArticleQuery(Query):
    version: Seq | SkipJsonSchema[None] = Field(
        None, description="Version number (default: latest)."
    )


class DiffQuery(Query):
    from_: Seq | SkipJsonSchema[None] = Field(
        None, alias="from", description="Older version (default: the one before `to`)."
    )
    to: Seq | SkipJsonSchema[None] = Field(None, description="Newer version (default: latest).")


class ArticlePath(Query):
    article_id: int = Field(ge=1, le=MAX_ID, description="Article id.")


class SourcePath(Query):
    name: str = Field(min_length=1, description="Source name.")
    action: Literal["pause", "resume"] = Field(description="What to do with it.")


class NewURL(Shape):
    """A page to archive now."""

    url: str = Field(min_length=1, max_length=MAX_URL_CHARS, description="An http(s) URL.")


class NewSource(Shape):
    """A source to add, checked like ``archiver source add``; give ``every`` or ``cron``."""

    url: str = Field(min_length=1, max_length=MAX_URL_CHARS)
    kind: Kind
    name: str | None = Field(None, description="One word (default: the URL's site).")
    every: str | Annotated[float, Field(ge=1, allow_inf_nan=False, strict=True)] | None = Field(
        None, description="30s, 15m, 2h, 1d, or seconds."
    )
    cron: str | None = Field(None, description="A 5-field crontab expression (UTC).")
    include: str | None = Field(None, description="Regular expression URLs must match.")
    exclude: str | None = Field(None, description="Regular expression URLs must not match.")


# -- responses -----------------------------------------------------------------


class Error(Shape):
    """An error with a message (never a traceback)."""

    error: str
    status: int


class Summary(Shape):
    article_id: int
    url: str
    site: str
    title: str | None
    published: str | None
    versions: int
    first_seen: Time
    last_checked: Time


class SiteCount(Shape):
    site: str
    articles: int


class SourceCount(Shape):
    source: str
    articles: int


class AuthorCount(Shape):
    author: str
    articles: int


class LanguageCount(Shape):
    language: str
    articles: int


class Counts(Shape):
    sites: list[SiteCount]
    sources: list[SourceCount]
    authors: list[AuthorCount] = Field(description="Authors of the current versions.")
    languages: list[LanguageCount] = Field(description="Languages of the current versions.")


class ArticlePage(Shape):
    total: int
    limit: int
    next: str | None = Field(description="Cursor of the next (older) page: pass as ?after=")
    prev: str | None = Field(description="Cursor of the previous (newer) page: pass as ?before=")
    articles: list[Summary]
    counts: Counts


class NearDuplicate(Shape):
    """Another article whose current text is a near duplicate (a syndication cluster)."""

    article_id: int
    url: str
    site: str
    similarity: float = Field(ge=0, le=1, description="Estimated Jaccard similarity, 0-1.")


class Article(Shape):
    article_id: int
    url: str
    aliases: list[str]
    title: str | None
    authors: list[str]
    published: str | None
    modified: str | None
    site: str
    site_name: str | None
    language: str | None
    description: str | None
    text: str
    version: int
    versions: int
    version_created: Time
    first_seen: Time
    last_checked: Time
    captures: int
    capture_errors: int
    first_captured: Time | None
    last_captured: Time | None
    near_duplicates: list[NearDuplicate] = Field(
        description="Articles whose current text is a near duplicate of this one's, best first."
    )


class FieldChange(Shape):
    field: str
    old: str | None
    new: str | None


class DiffOp(Shape):
    op: Literal["equal", "insert", "delete"]
    text: str


class Diff(Shape):
    article_id: int
    from_: int = Field(alias="from")
    to: int
    fields: list[FieldChange]
    words_added: int
    words_removed: int
    ops: list[DiffOp]


class SearchResult(Summary):
    snippet: str
    rank: float = Field(description="Lower is better.")


class SearchResults(Shape):
    query: str
    total: int
    page: int
    limit: int
    results: list[SearchResult]


class SkippedLink(Shape):
    """A link of a source document that is no candidate article, and why."""

    url: str
    reason: str


class Source(Shape):
    name: str
    kind: Kind
    url: str
    every: float | None
    cron: str | None
    include: str | None
    exclude: str | None
    paused: bool
    origin: str
    created: Time
    last_poll: Time | None
    last_success: Time | None
    last_error: str | None
    last_error_at: Time | None
    consecutive_failures: int
    articles_found: int | None
    articles_new: int | None
    articles: int
    links_skipped: int | None = Field(
        description="links of the document the last poll read that it did not take"
    )
    skipped: list[SkippedLink] = Field(description="the first 50 of them, with why")


class Sources(Shape):
    sources: list[Source]


class AddResult(Shape):
    """What archiving the URL did."""

    url: str
    article_id: int | None
    outcome: Outcome
    version: int | None
    error: str | None


class AddFailure(AddResult):
    """The URL could not be archived now (fetch or extraction failed): an error, with details."""

    error: str
    status: int


class Document(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
