"""Every shape the JSON API reads or writes, defined once as a pydantic model.

The API validates its query parameters and bodies with the request models
here, every JSON response goes through its response model on the way out, and
``openapi.py`` builds the OpenAPI document from these models' JSON Schemas:
what the document promises is what the code checks and sends.

Request rules (stricter than the pages, which treat an untouched form field
as absent): a parameter given is checked as the document says, so an empty
``limit=`` is a 400 like ``limit=x``; unknown parameters are ignored; a
parameter given twice is a 400. Keys of the responses are the CLI's
``--json`` keys (``browse_json.py``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from starlette.datastructures import QueryParams

from archiver.errors import InputError

MAX_PARAM_CHARS = 500
MAX_URL_CHARS = 8192
MAX_ID = 2**63 - 1
MAX_SEQ = 2**31 - 1
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_SEARCH_PAGE = 50

# -- building blocks -----------------------------------------------------------

# A host name as a site filter: optional http(s):// and :port, no path, no brackets.
SITE_PATTERN = r"^([Hh][Tt][Tt][Pp][Ss]?://)?[^\x00-\x20\x7f/\\?#@:\[\]%]+(:[0-9]{1,5})?$"
_SITE = re.compile(SITE_PATTERN)
_SCHEME = re.compile(r"^[Hh][Tt][Tt][Pp][Ss]?://")
CURSOR_PATTERN = r"^[0-9]{1,17}\.[0-9]{1,18}$"  # what Cursor.token() writes
NO_NUL = r"^[^\x00]*$"
_INTEGER = re.compile(r"-?[0-9]{1,19}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def site_host(raw: str) -> str | None:
    """The host a site filter means (lower case, no scheme, port or ``www.``); None if none."""
    if not _SITE.fullmatch(raw):
        return None
    host = _SCHEME.sub("", raw).partition(":")[0].lower()
    host = host.removeprefix("www.") or host
    try:  # stored sites are IDNA-encoded, like the URLs they come from
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # no such site can be stored: the filter just matches nothing
        return host


def _site(raw: str) -> str:
    host = site_host(raw)
    if host is None:  # the pattern has been checked already; a safety net only
        raise ValueError("not a host name")
    return host


def _whole_number(value: Any) -> Any:
    """Query integers as digits only (pydantic alone would take '2_5' or '25.0')."""
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise ValueError("not a whole number")
    return value


def _utc(value: datetime) -> datetime:
    """``value`` in UTC, clamped to what Python can hold (9999-12-31T23:00:00-05:00...)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return _LATEST if value.year > 5000 else _EARLIEST


def rfc3339(raw: str, *, end_of_day: bool = False) -> datetime:
    """An RFC 3339 full-date or date-time as an aware UTC datetime; ValueError if not one.

    A full-date is the start of that day (UTC), or with ``end_of_day`` the start
    of the next, so ``until=2026-11-21`` includes all of the 21st. The years
    0000 and 9999 are valid RFC 3339 and clamp to the earliest / latest moment.
    """
    if found := _DATE.fullmatch(raw):
        year, month, day = (int(g) for g in found.groups())
        start = date(year or 4, month, day)  # ValueError if impossible (0000 is a leap year)
        if year == 0:
            return _EARLIEST
        if end_of_day:
            if start == date.max:
                return _LATEST
            start += timedelta(days=1)
        return datetime.combine(start, time(), UTC)
    found = _DATE_TIME.fullmatch(raw)
    if not found:
        raise ValueError("not an RFC 3339 date (2026-11-21) or date-time (2026-11-21T10:00:00Z)")
    year, month, day, hour, minute, second = (int(g) for g in found.groups()[:6])
    fraction, offset = found.group(7), found.group(8)
    micros = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if second == 60:  # a leap second: the last moment of its minute
        second, micros = 59, 999999
    zone = UTC
    if offset not in ("Z", "z"):
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError("the UTC offset is out of range")
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    moment = datetime(year or 4, month, day, hour, minute, second, micros, zone)  # ValueError
    return _EARLIEST if year == 0 else _utc(moment)


def _since(value: Any) -> Any:
    return rfc3339(value) if isinstance(value, str) else value


def _until(value: Any) -> Any:
    return rfc3339(value, end_of_day=True) if isinstance(value, str) else value


_MOMENT_SCHEMA = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}

Text = Annotated[str, Field(min_length=1, max_length=MAX_PARAM_CHARS, pattern=NO_NUL)]
Site = Annotated[
    str, Field(max_length=MAX_PARAM_CHARS, pattern=SITE_PATTERN), AfterValidator(_site)
]
Since = Annotated[datetime, BeforeValidator(_since), WithJsonSchema(_MOMENT_SCHEMA)]
Until = Annotated[datetime, BeforeValidator(_until), WithJsonSchema(_MOMENT_SCHEMA)]
CursorToken = Annotated[str, Field(pattern=CURSOR_PATTERN)]
# Constraints first: after a BeforeValidator pydantic would not put them in the schema.
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(_whole_number)]
Seq = Annotated[int, Field(ge=1, le=MAX_SEQ), BeforeValidator(_whole_number)]
SearchPageNumber = Annotated[int, Field(ge=1, le=MAX_SEARCH_PAGE), BeforeValidator(_whole_number)]
Time = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Kind = Literal["feed", "sitemap", "page", "url"]
Outcome = Literal["new", "updated", "unchanged", "duplicate", "error"]


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


class ArticlesQuery(FilterQuery):
    limit: Limit = Field(DEFAULT_LIMIT, description="Items per page, 1-100.")
    cursor: PageCursor = Field(
        default_factory=PageCursor,
        description="At most one of `after` and `before`, as plain parameters.",
    )


class SearchQuery(FilterQuery):
    q: Text = Field(description='Words, "a phrase", or, -word.')
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


class Counts(Shape):
    sites: list[SiteCount]
    sources: list[SourceCount]


class ArticlePage(Shape):
    total: int
    limit: int
    next: str | None = Field(description="Cursor of the next (older) page: pass as ?after=")
    prev: str | None = Field(description="Cursor of the previous (newer) page: pass as ?before=")
    articles: list[Summary]
    counts: Counts


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


class VersionRow(Shape):
    version: int
    created: Time
    title: str | None
    words: int
    words_change: int
    chars: int
    capture_id: int


class History(Shape):
    article_id: int
    url: str
    versions: list[VersionRow]


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


# -- reading requests ----------------------------------------------------------

Q = TypeVar("Q", bound=Query)
B = TypeVar("B", bound=Shape)


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    messages = {
        "missing": "required",
        "int_parsing": "not a whole number",
        "finite_number": "must be a finite number",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "string_too_short": "must not be empty",
        "string_too_long": f"too long (over {ctx.get('max_length')} characters)",
        "string_pattern_mismatch": "not in the documented form",
        "literal_error": f"must be {ctx.get('expected')}",
        "extra_forbidden": "unknown field",
        "model_type": "must be a JSON object",
        "value_error": str(ctx.get("error", error["msg"])),
    }
    return messages.get(kind, str(error["msg"]))


def _where(loc: tuple[int | str, ...]) -> str:
    """The parameter or body field a pydantic error is about (not the union member tags)."""
    parts = loc[1:] if loc[:1] == ("cursor",) else loc  # the only nested query model
    return str(parts[0]) if parts else ""


_TYPES = {"string_type": "a string", "float_type": "a number", "int_type": "a whole number"}


def input_error(exc: ValidationError, what: str = "") -> InputError:
    """The first problem of ``exc`` as one line: ``limit: must be at most 100 (got '500')``."""
    errors = exc.errors(include_url=False)
    where = _where(errors[0]["loc"])
    same = [e for e in errors if _where(e["loc"]) == where]  # the members of a union
    specific = [e for e in same if e["type"] not in _TYPES]
    if specific:
        message = _message(specific[0])
    else:
        message = "must be " + " or ".join(dict.fromkeys(_TYPES[e["type"]] for e in same))
    got = errors[0].get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float) and len(repr(got)) < 60 else ""
    where = where or what
    return InputError(f"{where}: {message}{shown}" if where else message + shown)


def query(model: type[Q], params: QueryParams) -> Q:
    """The query string as ``model``, or an InputError saying what is wrong."""
    data: dict[str, Any] = {}

    def take(target: dict[str, Any], fields: type[Query]) -> None:
        for name, info in fields.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, Query):
                nested: dict[str, Any] = {}
                take(nested, annotation)
                target[name] = nested
                continue
            key = info.alias or name
            values = params.getlist(key)
            if len(values) > 1:
                raise InputError(f"{key}: give it once (got {len(values)} values)")
            if values:
                target[key] = values[0]

    take(data, model)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc) from None


def body(model: type[B], data: Any) -> B:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, "body") from None
