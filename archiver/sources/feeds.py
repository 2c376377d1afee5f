"""RSS 0.9x / 1.0 / 2.0 and Atom feeds → the article URL of each entry.

feedparser copes with the malformed feeds real publishers serve (wrong
encodings, unescaped HTML, mixed namespaces) far better than a strict XML
parser would. It is only ever given bytes wrapped in a stream: handed a
``str`` or ``bytes``, ``feedparser.parse`` may treat them as a URL to fetch or
a file to open, and discovery must never touch the network or the disk.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]
from feedparser.sanitizer import replace_doctype  # type: ignore[import-untyped]

from archiver.errors import DiscoverError
from archiver.sources.filters import Discovered, Skipped, normalized
from archiver.sources.xmlguard import decode_xml, refuse_entities, squeeze_prolog

# Alternate links of these types are the human-readable story; an alternate of
# another type (a PDF edition, an AMP or JSON variant) is only a fallback.
_HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})

# Mislabelled feeds are common: when the declared (or default UTF-8) encoding
# fails, these are tried in turn, as feedparser itself does. ISO-8859-2 maps
# every byte, so decoding always succeeds in the end.
_FALLBACK_ENCODINGS = ("utf-8", "windows-1252", "iso-8859-2")
# feedparser's own declaration for the UTF-8 it parses. Alone on the first line
# it makes feedparser's re-detection of the encoding a no-op: that reads the
# *last* ``encoding=`` of line 1, and one written further on that line (in a PI,
# say ``utf-7``) would otherwise make it decode text other than what was checked.
_UTF8_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# Put where the document's own declaration was, so that what followed it does
# not start a line: feedparser's DOCTYPE handling is line-based (see _feed_bytes).
_IN_PLACE = "<!---->"


def _is_absolute_http(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # "Invalid IPv6 URL": http://[x
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def resolved(base_url: str, candidates: Iterable[str | None]) -> Iterator[str]:
    """Each candidate joined to ``base_url``; ones that cannot be (``http://[x``) skipped."""
    for candidate in candidates:
        if not candidate:
            continue
        try:
            candidate.encode("utf-8")  # a lone surrogate from a character reference
            yield urljoin(base_url, candidate)
        except ValueError:  # urljoin: "Invalid IPv6 URL"; UnicodeEncodeError
            continue


def _feed_bytes(body: bytes, base_url: str) -> bytes:
    """``body`` as the UTF-8 feedparser is given, refused if it declares unsafe entities.

    Entity declarations are what entity-expansion bombs ("billion laughs") are
    made of. expat stops a bomb only after inflating it to megabytes, and
    feedparser's own DTD filter misses declarations written on one line, so such
    a feed would cost seconds of CPU and still yield a mangled link. The check
    runs on the decoded text, so a UTF-16 or otherwise encoded bomb is caught
    too, and feedparser parses exactly the text that was checked.
    """
    text, declaration = decode_xml(body, base_url, fallbacks=_FALLBACK_ENCODINGS)
    text = squeeze_prolog(text)
    refuse_entities(text, base_url, what="feed", literal_ok=True)
    # feedparser itself swaps an existing declaration in place, or prepends its
    # own and a newline: mimicked, so that a one-line DOCTYPE stays off a line
    # start, where feedparser's regexes would cut it at its first ">".
    prefix = _UTF8_DECLARATION if declaration is None else _UTF8_DECLARATION + _IN_PLACE
    data = (prefix + text).encode("utf-8")
    # What expat is given is this after feedparser strips and re-inserts entity
    # declarations: checked as well, so no edit of feedparser's can form one.
    _, parsed, _ = replace_doctype(data)
    refuse_entities(parsed.decode("utf-8", "replace"), base_url, what="feed", literal_ok=True)
    return data


def _entry_url(entry: Any) -> str | None:
    """The story URL of one entry: its alternate link, else a permalink guid/id.

    feedparser copies a guid into ``link`` when the item has no ``<link>`` (the
    RSS 2.0 isPermaLink rule, and Atom ``<id>`` likewise). Such a copy is kept
    only when the guid is itself an absolute http(s) URL: a bare "12345" guid
    resolved against the feed URL would invent an address. ``isPermaLink="false"``
    guids are never used, as the RSS spec says they are not locators.
    """
    alternates = [
        link
        for link in entry.get("links") or []
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    html = [link for link in alternates if link.get("type", "") in _HTML_TYPES]
    if html or alternates:
        return str((html or alternates)[0]["href"])
    link = entry.get("link")
    guid = entry.get("id")
    if link and link != guid:
        return str(link)
    if guid and entry.get("guidislink") and _is_absolute_http(guid):
        return str(guid)
    return None


def parse_feed(body: bytes, base_url: str, content_location: str | None = None) -> Discovered:
    """Entry links of a feed, resolved against ``xml:base``, then the response's
    ``Content-Location`` (itself relative to ``base_url``), then ``base_url`` (the
    feed's final URL); normalized, in feed order.

    Raises ``DiscoverError`` when ``body`` is not a feed at all (an HTML page,
    JSON, garbage): feedparser then reports no version and finds no entries.
    A valid feed with no entries is not an error, just an empty result.
    """
    if not body.strip():
        raise DiscoverError(f"{base_url}: empty document, not a feed")
    data = _feed_bytes(body, base_url)
    # No Content-Location is passed on purpose: feedparser then resolves only
    # xml:base, leaving the rest relative for urljoin below, so a relative guid
    # stays recognisably relative (see _entry_url). feedparser's loose parser has
    # crashed on chaotic input (KeyError, ValueError, UnicodeEncodeError from a
    # character reference): any exception of its own means "not a feed".
    try:
        stream = io.BytesIO(data)
        result = feedparser.parse(stream, sanitize_html=False, resolve_relative_uris=False)
        entries = result.get("entries") or []
        version = result.get("version")
    except Exception as exc:
        raise DiscoverError(
            f"{base_url}: not an RSS or Atom feed (feedparser failed: {type(exc).__name__})"
        ) from exc
    if not version and not entries:
        reason = result.get("bozo_exception") or "no feed element"
        raise DiscoverError(f"{base_url}: not an RSS or Atom feed ({reason})")
    base = urljoin(base_url, content_location.strip()) if content_location else base_url
    skipped: list[Skipped] = []
    urls = normalized(resolved(base, map(_entry_url, entries)), skipped)
    return Discovered(articles=urls, skipped=skipped)
