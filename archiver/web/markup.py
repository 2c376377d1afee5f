"""Archived text as HTML: always escaped, and sanitized again with nh3 when marked up.

Archived titles and texts come from arbitrary web pages, so they are data,
never markup. Templates autoescape them; the only HTML built here wraps
escaped text in ``<mark>`` (search snippets) or ``<ins>``/``<del>`` (diffs),
and that result goes through nh3 with exactly those tags allowed (and no
attributes), so a bug in the escaping could not let a tag or attribute through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import nh3
from markupsafe import Markup, escape

from archiver.browse_json import iso
from archiver.durations import format_duration
from archiver.records.articles import SNIPPET_MARK_END, SNIPPET_MARK_START
from archiver.version import DiffOp


def _sanitized(html: str, tags: set[str]) -> Markup:
    return Markup(nh3.clean(html, tags=tags, attributes={}, strip_comments=True))  # noqa: S704


def snippet_html(snippet: str) -> Markup:
    """A search snippet with its matched terms in ``<mark>``."""
    out: list[str] = []
    for chunk in snippet.split(SNIPPET_MARK_START):
        marked, sep, rest = chunk.partition(SNIPPET_MARK_END)
        if sep:
            out.append(f"<mark>{escape(marked)}</mark>{escape(rest)}")
        else:
            out.append(str(escape(chunk.replace(SNIPPET_MARK_END, ""))))
    return _sanitized("".join(out), {"mark"})


def diff_html(ops: Iterable[DiffOp]) -> Markup:
    """Diff operations as escaped text with ``<ins>`` / ``<del>`` around the changes."""
    tags = {"insert": "ins", "delete": "del"}
    out = []
    for op in ops:
        tag = tags.get(op.kind)
        out.append(f"<{tag}>{escape(op.text)}</{tag}>" if tag else str(escape(op.text)))
    return _sanitized("".join(out), {"ins", "del"})


FIRST_CHANGE = Markup('<span id="first-change"></span>')


def hunk_html(ops: Sequence[DiffOp], *, first: bool) -> Markup:
    """A diff hunk as ``diff_html`` without its final newlines; ``first``: with the
    ``#first-change`` anchor (fixed markup, no archived text) before its first change."""
    shown = list(ops)
    if shown and shown[-1].text.endswith("\n"):
        shown[-1] = DiffOp(shown[-1].kind, shown[-1].text.rstrip("\n"))
    if not first:
        return diff_html(shown)
    at = next((i for i, op in enumerate(shown) if op.kind != "equal"), len(shown))
    return diff_html(shown[:at]) + FIRST_CHANGE + diff_html(shown[at:])


_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def lang_tag(value: str | None) -> str | None:
    """An archived page's language as an HTML ``lang`` value (so a browser picks the right
    glyphs: Japanese kanji, not Chinese); None when it is no language tag."""
    if value and len(value) <= 35 and _LANG.fullmatch(value.replace("_", "-")):
        return value.replace("_", "-")
    return None


def paragraphs(text: str) -> list[str]:
    """Clean text is one paragraph per line."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def web_url(url: str | None) -> str | None:
    """``url`` if it may become a link (http or https), else None (shown as text only)."""
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else None


def when(value: datetime | None) -> str:
    """A time for people: ``2026-11-21 10:00 UTC``."""
    stamp = iso(value)
    return f"{stamp[:16].replace('T', ' ')} UTC" if stamp else "never"


def published(value: str | None) -> str:
    """A page's own date as people read it (dates stay dates; times are shown in UTC)."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return value
    return when(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def duration(seconds: float | None) -> str:
    return format_duration(seconds) if seconds else "-"


def href(path: str, params: dict[str, str] | None = None, **extra: str | int | None) -> str:
    """``path`` with a query string; ``extra`` overrides ``params`` (None removes a key)."""
    query: dict[str, str] = dict(params or {})
    for key, value in extra.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    return f"{path}?{urlencode(query)}" if query else path
