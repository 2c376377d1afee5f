"""The building blocks of the API's shapes: limits, patterns, and the validated types
(sites, RFC 3339 moments, whole numbers) that ``schemas.py`` composes its models of."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

MAX_PARAM_CHARS = 500
MAX_URL_CHARS = 8192
MAX_ID = 2**63 - 1
MAX_SEQ = 2**31 - 1
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_SEARCH_PAGE = 50

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
SortKey = Literal["first_seen", "published", "changed", "versions"]  # records.browse.SORT_KEYS
Outcome = Literal["new", "updated", "unchanged", "duplicate", "error"]
