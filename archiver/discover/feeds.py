"""RSS 0.9x / 1.0 / 2.0 and Atom feeds → the article URL of each entry.

feedparser copes with the malformed feeds real publishers serve (wrong
encodings, unescaped HTML, mixed namespaces) far better than a strict XML
parser would. It is only ever given bytes wrapped in a stream: handed a
``str`` or ``bytes``, ``feedparser.parse`` may treat them as a URL to fetch or
a file to open, and discovery must never touch the network or the disk.
"""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]

from archiver.discover.filters import Discovered, normalized
from archiver.errors import DiscoverError

# Alternate links of these types are the human-readable story; an alternate of
# another type (a PDF edition, an AMP or JSON variant) is only a fallback.
_HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})

# The prolog ends at the first element tag outside a comment. Entity
# declarations in it are "safe" when their value is literal text or a single
# character reference (feedparser's own rule; old feeds declare &nbsp; so).
_PROLOG_END = re.compile(rb"<!--.*?-->|<[A-Za-z_]", re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY\b", re.IGNORECASE)
_SAFE_ENTITY_DECL = re.compile(
    rb"""<!ENTITY\s+[\w.-]+\s+(?:"(?:&#\w+;|[^&%"<]*)"|'(?:&#\w+;|[^&%'<]*)')\s*>"""
)


def _is_absolute_http(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def xml_prolog(body: bytes) -> bytes:
    """Everything before the root element: XML declaration, comments, DOCTYPE."""
    for match in _PROLOG_END.finditer(body):
        if not match.group().startswith(b"<!--"):
            return body[: match.start()]
    return body


def _check_entities(body: bytes, base_url: str) -> None:
    """Refuse entity declarations that nest, are parameter entities or are external.

    Those are what entity-expansion bombs ("billion laughs") are made of. expat
    stops a bomb only after inflating it to megabytes, and feedparser's own
    DTD filter misses declarations written on one line, so such a feed would
    cost a second of CPU and still yield a mangled link. No real feed needs them.
    """
    prolog = xml_prolog(body)
    declared = len(_ENTITY_DECL.findall(prolog))
    if declared and declared != len(_SAFE_ENTITY_DECL.findall(prolog)):
        raise DiscoverError(f"{base_url}: feed declares nested or external XML entities; refused")


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


def parse_feed(body: bytes, base_url: str) -> Discovered:
    """Entry links of a feed, resolved against ``base_url``, normalized, in feed order.

    Raises ``DiscoverError`` when ``body`` is not a feed at all (an HTML page,
    JSON, garbage): feedparser then reports no version and finds no entries.
    A valid feed with no entries is not an error, just an empty result.
    """
    if not body.strip():
        raise DiscoverError(f"{base_url}: empty document, not a feed")
    _check_entities(body, base_url)
    # No Content-Location is passed on purpose: feedparser then resolves only
    # xml:base, leaving the rest relative for urljoin below, so a relative guid
    # stays recognisably relative (see _entry_url).
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    entries = result.get("entries") or []
    if not result.get("version") and not entries:
        reason = result.get("bozo_exception") or "no feed element"
        raise DiscoverError(f"{base_url}: not an RSS or Atom feed ({reason})")
    candidates = (_entry_url(entry) for entry in entries)
    return Discovered(articles=normalized(urljoin(base_url, c) for c in candidates if c))
