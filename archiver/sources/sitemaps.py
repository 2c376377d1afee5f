"""Sitemaps (sitemaps.org protocol, Google News and image extensions) and robots.txt.

A sitemap is untrusted XML from the open web, so it is parsed with lxml in its
safest configuration: no entity substitution, no DTD loading, no network, no
"huge tree" (libxml2's own size limits stay on). A document that declares XML
entities is refused outright: the protocol has no use for them, and with
substitution off an entity reference would silently vanish from a ``<loc>``,
turning ``https://site/&story;`` into a wrong but valid-looking URL.

A sitemap that is not well-formed XML is not guessed at (libxml2's recovery
mode mangles URLs: an unescaped ``&`` drops characters, and a wrong URL is
worse than a reported error), but a document cut off by a timeout or a proxy
(no ``</urlset>``, cut inside an ``<url>``, garbage after the last entry)
still gives every *complete* ``<url>`` / ``<sitemap>`` entry before the
damage, read by lxml's pull parser with the same safe settings; the damage is
reported with them (``Discovered.damage``).

The document is decoded first (byte order mark, XML declaration, else UTF-8;
see ``xmlguard``), so the entity check reads a UTF-16 or UTF-32 sitemap as
well as a UTF-8 one, and lxml is then given that same text as UTF-8.
"""

from __future__ import annotations

import re
import zlib
from urllib.parse import urljoin

from lxml import etree  # type: ignore[import-untyped]

from archiver.errors import DiscoverError
from archiver.sources.feeds import parse_feed, resolved
from archiver.sources.filters import Discovered, Skipped, normalized
from archiver.sources.xmlguard import (
    decode_xml,
    refuse_entities,
    sniff_encoding,
    well_formed_declaration,
)

# sitemaps.org: at most 50 MB uncompressed. Bodies above this after gunzip are
# refused, which is also what stops a gzip bomb (1 KB that inflates to 1 GB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})  # search engines accept feeds as sitemaps
_TEXT_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# "Sitemap:", and the spellings robots.txt parsers accept ("Site-map:", "site map:").
_ROBOTS_SITEMAP = re.compile(r"^\s*site[-_ ]?map\s*:\s*(\S+)", re.IGNORECASE)

_SAFE = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""lxml's safest settings, for the strict parse and for the recovering pull parser."""
_PARSER = etree.XMLParser(**_SAFE)


def _gunzip(body: bytes, base_url: str) -> bytes:
    """Decompress a gzip body, refusing more than ``MAX_SITEMAP_BYTES`` of output."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16+: expect a gzip header
    try:
        data = inflater.decompress(body, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise DiscoverError(f"{base_url}: corrupt gzip sitemap ({exc})") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise DiscoverError(f"{base_url}: sitemap larger than {MAX_SITEMAP_BYTES} bytes unzipped")
    if not inflater.eof:
        raise DiscoverError(f"{base_url}: truncated or corrupt gzip sitemap")
    return data


def _local(tag: object) -> str | None:
    """Element name without namespace; None for comments, PIs and entities."""
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]  # a broken document's names too


def _locs(root: etree._Element, entry: str) -> list[str]:
    """Text of each ``<entry><loc>``, direct children only.

    Only direct children count: ``<image:image><image:loc>`` and
    ``<video:video>`` URLs inside an ``<url>`` are media, not pages. Namespaces
    are ignored because sitemaps in the wild use the sitemaps.org namespace,
    the old Google 0.84 / 0.9 ones, or none at all.
    """
    found: list[str] = []
    for child in root:
        if _local(child.tag) != entry:
            continue
        for field in child:
            if _local(field.tag) == "loc" and field.text and field.text.strip():
                found.append(field.text.strip())
                break
    return found


def _parse_xml(body: bytes, base_url: str) -> Discovered:
    text, declaration = decode_xml(body, base_url)
    if declaration is not None and not well_formed_declaration(declaration):
        raise DiscoverError(f"{base_url}: not a well-formed XML sitemap (bad XML declaration)")
    refuse_entities(text, base_url, what="sitemap", literal_ok=False)
    data = text.encode("utf-8")  # the XML declaration is gone: lxml assumes UTF-8
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return _recover(data, base_url, exc)
    dtd = root.getroottree().docinfo.internalDTD  # belt and braces after the scan
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DiscoverError(f"{base_url}: sitemap declares XML entities; refused")
    kind = _local(root.tag)
    skipped: list[Skipped] = []
    if kind == "urlset":
        urls = normalized(resolved(base_url, _locs(root, "url")), skipped)
        return Discovered(articles=urls, skipped=skipped)
    if kind == "sitemapindex":
        children = normalized(resolved(base_url, _locs(root, "sitemap")), skipped)
        return Discovered(articles=[], sitemaps=children, skipped=skipped)
    if kind in _FEED_ROOTS:
        return parse_feed(data, base_url)
    raise DiscoverError(f"{base_url}: <{kind}> document is not a sitemap")


_ENTRIES = {"urlset": "url", "sitemapindex": "sitemap"}


def _pull(data: bytes) -> tuple[list[tuple[str, etree._Element]], etree.XMLSyntaxError | None]:
    """Events of ``data`` through lxml's pull parser, never closed: an element gets its
    end event only when its end tag was read (closing, or an error, makes newer lxml
    end every open element, with what it had of their text)."""
    parser = etree.XMLPullParser(events=("start", "end"), **_SAFE)
    try:
        parser.feed(data)
    except etree.XMLSyntaxError as exc:
        return [], exc
    return list(parser.read_events()), None


def _recover(data: bytes, base_url: str, error: etree.XMLSyntaxError) -> Discovered:
    """The complete entries before the point where a broken sitemap stops parsing.

    A document cut off (a timeout, a proxy) only lacks its end: its complete entries are
    read as they are. A document with an error inside (an unescaped ``&``, junk after the
    end) is read again up to the line before the error, so nothing the error touched,
    and no URL cut short, is taken.
    """
    events, failed = _pull(data)
    if failed is not None:
        line = failed.position[0] if failed.position else 1
        prefix = b"".join(data.splitlines(keepends=True)[: max(0, line - 1)])
        events, failed = _pull(prefix) if prefix else ([], failed)
    kind: str | None = None
    depth = 0
    locs: list[str] = []
    for event, element in events:
        name = _local(element.tag)
        if event == "start":
            depth += 1
            kind = kind or name
            continue
        depth -= 1
        if depth == 1 and kind in _ENTRIES and name == _ENTRIES[kind]:
            loc = next((f.text for f in element if _local(f.tag) == "loc" and f.text), None)
            if loc and loc.strip():
                locs.append(loc.strip())
    if kind not in _ENTRIES or not locs:
        raise DiscoverError(f"{base_url}: not a well-formed XML sitemap ({error})") from error
    damage = [f"{base_url}: broken sitemap, {len(locs)} complete entries read ({error})"]
    skipped: list[Skipped] = []
    found = normalized(resolved(base_url, locs), skipped)
    if kind == "sitemapindex":
        return Discovered(articles=[], sitemaps=found, damage=damage, skipped=skipped)
    return Discovered(articles=found, damage=damage, skipped=skipped)


def _parse_text(text: str, base_url: str) -> Discovered:
    """A plain-text sitemap: one absolute URL per line (sitemaps.org "text file")."""
    lines = (line.strip() for line in text.splitlines())
    urls = [line for line in lines if _TEXT_URL.match(line)]
    if not urls:
        raise DiscoverError(f"{base_url}: neither an XML nor a text sitemap")
    skipped: list[Skipped] = []
    return Discovered(articles=normalized(urls, skipped), skipped=skipped)


def parse_sitemap(body: bytes, base_url: str) -> Discovered:
    """URLs of a sitemap: ``<urlset>`` → articles, ``<sitemapindex>`` → sitemaps.

    Accepts gzip-compressed bodies (``.xml.gz`` files are served as-is, not
    Content-Encoded, so the fetch stage leaves them compressed), UTF-8, UTF-16
    and UTF-32 documents, plain-text sitemaps and, like search engines, RSS/Atom
    feeds. ``base_url`` is the sitemap's own URL, used for the odd relative
    ``<loc>`` and in messages. Raises ``DiscoverError`` for anything else.
    """
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, base_url)
    encoding, bom_length = sniff_encoding(body)
    text = body[bom_length:].decode(encoding or "utf-8", errors="replace").lstrip()
    if not text:
        raise DiscoverError(f"{base_url}: empty sitemap")
    if text.startswith("<"):
        return _parse_xml(body, base_url)  # decoded again, strictly, in its declared encoding
    return _parse_text(text, base_url)


def robots_sitemap_lines(robots_txt: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, absolute and normalized, in file order.

    The directive is case-insensitive and independent of user-agent groups.
    ``base_url`` (the robots.txt URL or the site) resolves relative values,
    which the standard forbids but some sites write anyway.
    """
    found: list[str] = []
    for line in robots_txt.removeprefix("\ufeff").splitlines():
        match = _ROBOTS_SITEMAP.match(line.split("#", 1)[0])
        if match:
            found.append(urljoin(base_url, match[1]))
    return normalized(found)
