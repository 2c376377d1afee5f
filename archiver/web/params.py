"""The pages' query parameters in, checked values out; anything malformed is an InputError (400).

The pages take what a person's form sends: an empty field is absent, dates may
be any ISO 8601 form. The API reads the same parameters with the stricter
rules of its OpenAPI document (``schemas.py``); a page's own links are valid
for both, so a page's URL and its ``/api/`` twin agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from starlette.datastructures import QueryParams

from archiver.errors import InputError
from archiver.records.browse import SORT_KEYS, ArticleFilter, Cursor, Sort
from archiver.web.fields import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PARAM_CHARS,
    MAX_SEARCH_PAGE,
    site_host,
)

_DIGITS = re.compile(r"[0-9]{1,18}")
_CURSOR = re.compile(CURSOR_PATTERN)


def text(params: QueryParams, name: str) -> str | None:
    """A trimmed parameter; empty counts as absent (what an untouched form field sends)."""
    values = params.getlist(name)
    if len(values) > 1:
        raise InputError(f"{name}: give it once (got {len(values)} values)")
    value = values[0].strip() if values else ""
    if len(value) > MAX_PARAM_CHARS:
        raise InputError(f"{name}: too long (over {MAX_PARAM_CHARS} characters)")
    if "\x00" in value:
        raise InputError(f"{name}: contains a NUL character")
    return value or None


def integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = text(params, name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):  # not isdigit(): that takes '²', which int() refuses
        raise InputError(f"{name}: not a whole number: {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise InputError(f"{name}: must be between {low} and {high} (got {value})")
    return value


def optional_int(params: QueryParams, name: str, low: int = 1) -> int | None:
    if text(params, name) is None:
        return None
    return integer(params, name, 0, low, 2**31 - 1)


def moment(raw: str, name: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date (``2026-11-21``) or date-time; naive values are UTC.

    With ``end_of_day`` a plain date means the *end* of that day, so
    ``until=2026-11-21`` includes all of the 21st.
    """
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(), UTC)
        parsed = datetime.fromisoformat(raw)
    except (ValueError, OverflowError) as exc:
        raise InputError(f"{name}: not an ISO date or date-time: {raw!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Filters:
    """The article filter and the parameters that express it (for building links)."""

    filt: ArticleFilter
    query: dict[str, str]  # only the filters that are set, as given (normalized)


def filters(params: QueryParams) -> Filters:
    query: dict[str, str] = {}
    site = text(params, "site")
    if site is not None:
        host = site_host(site)
        if not host:
            raise InputError(f"site: not a host name: {site!r}")
        site = query["site"] = host
    source = text(params, "source")
    if source is not None:
        query["source"] = source
    since_raw, until_raw = text(params, "since"), text(params, "until")
    since = moment(since_raw, "since") if since_raw else None
    until = moment(until_raw, "until", end_of_day=True) if until_raw else None
    if since is not None and until is not None and since >= until:
        raise InputError("since: must be before until")
    for name, raw in (("since", since_raw), ("until", until_raw)):
        if raw is not None:
            query[name] = raw
    author, language = text(params, "author"), text(params, "language")
    for name, value in (("author", author), ("language", language)):
        if value is not None:
            query[name] = value
    filt = ArticleFilter(site, source, since, until, author=author, language=language)
    return Filters(filt, query)


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    after: Cursor | None
    before: Cursor | None
    sort: Sort = field(default_factory=Sort)

    @property
    def query(self) -> dict[str, str]:
        """The order and page size as parameters, when they are not the defaults."""
        found = {} if self.sort.default else sort_query(self.sort)
        if self.limit != DEFAULT_LIMIT:
            found["limit"] = str(self.limit)
        return found


def sort_query(chosen: Sort) -> dict[str, str]:
    return {"sort": chosen.key, "order": "desc" if chosen.descending else "asc"}


def sort(params: QueryParams) -> Sort:
    """``sort`` (one of ``SORT_KEYS``, default first_seen) and ``order`` (desc or asc)."""
    key = text(params, "sort") or "first_seen"
    if key not in SORT_KEYS:
        raise InputError(f"sort: one of {', '.join(SORT_KEYS)} (got {key!r})")
    order = text(params, "order") or "desc"
    if order not in ("desc", "asc"):
        raise InputError(f"order: desc or asc (got {order!r})")
    return Sort(key, order == "desc")


def paging(params: QueryParams) -> Paging:
    limit = integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    after_raw, before_raw = text(params, "after"), text(params, "before")
    if after_raw and before_raw:
        raise InputError("give one page cursor: 'after' or 'before', not both")
    return Paging(limit, cursor(after_raw), cursor(before_raw), sort(params))


def cursor(raw: str | None) -> Cursor | None:
    """A page cursor (``Cursor.token()``), checked first: ``Cursor.parse`` takes '²' as a digit."""
    if raw is None:
        return None
    if not _CURSOR.fullmatch(raw):
        raise InputError(f"not a page cursor: {raw!r}")
    return Cursor.parse(raw)


def search_page(params: QueryParams) -> tuple[int, int]:
    """(limit, page number) of a ranked search; pages go up to ``MAX_SEARCH_PAGE``."""
    limit = integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return limit, integer(params, "page", 1, 1, MAX_SEARCH_PAGE)
