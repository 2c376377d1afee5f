"""Structural facts of a page read with selectolax: head links, dates, language, <a> links.

These are declarations the publisher makes in markup (canonical, og:url, AMP
pairing, machine-readable dates, ``<html lang>``). They are read exactly, with a
fast HTML5 parser, instead of through trafilatura's heuristics, because later
stages key identity and versions on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.records.extracted import PageLinks

_URL_JUNK = re.compile(r"[\t\r\n]")  # browsers drop these inside URLs
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}|\d{3}|[a-zA-Z]{4}))?\b")
_SITE_NAME_META = ("og:site_name", "application-name", "twitter:site")
MAX_HEADINGS = 3
"""``<h1>`` elements read for the title (a page has one; templates add a logo's)."""
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publish-date",
    "dc.date.issued",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "last-modified")


@dataclass(frozen=True, slots=True)
class HeadMeta:
    """Machine-readable dates and language declared by the page; the site's declared names
    and the page's ``<h1>`` headings (for cleaning the title)."""

    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_names: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()


def parse(html: str) -> LexborHTMLParser:
    """Parse once; every reader below accepts the parsed tree to avoid re-parsing."""
    return LexborHTMLParser(html)


def _tree(html: str | LexborHTMLParser) -> LexborHTMLParser:
    return html if isinstance(html, LexborHTMLParser) else parse(html)


def absolute(href: str | None, base: str) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless http(s)."""
    if href is None:
        return None
    href = _URL_JUNK.sub("", href).strip()
    if not href:
        return None
    try:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1" (bad IPv6 literal)
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def _base(tree: LexborHTMLParser, page_url: str) -> str:
    """The document base URL: ``<base href>`` wins over the page URL, as in browsers."""
    node = tree.css_first("base[href]")
    base = absolute(node.attributes.get("href") if node else None, page_url)
    return base or page_url


def _link(tree: LexborHTMLParser, rel: str) -> str | None:
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        if rel in rels:
            return node.attributes.get("href")
    return None


def _meta(tree: LexborHTMLParser, names: tuple[str, ...]) -> str | None:
    """First non-empty content of <meta property|name|itemprop=...>, in ``names`` order."""
    found: dict[str, str] = {}
    wanted = {n.lower() for n in names}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        for key in ("property", "name", "itemprop"):
            name = (attrs.get(key) or "").strip().lower()
            content = (attrs.get("content") or "").strip()
            if name in wanted and content and name not in found:
                found[name] = content
    return next((found[n.lower()] for n in names if n.lower() in found), None)


def _is_amp(tree: LexborHTMLParser) -> bool:
    root = tree.css_first("html")
    return root is not None and any(a in ("amp", "⚡") for a in root.attributes)


def read_links(html: str | LexborHTMLParser, base_url: str) -> PageLinks:
    """Canonical, og:url and AMP pairing of a page, as absolute http(s) URLs."""
    tree = _tree(html)
    base = _base(tree, base_url)
    canonical = absolute(_link(tree, "canonical"), base)
    og_url = absolute(_meta(tree, ("og:url",)), base)
    if _is_amp(tree):
        return PageLinks(canonical=canonical, og_url=og_url, amp_canonical=canonical)
    return PageLinks(
        canonical=canonical, og_url=og_url, amphtml=absolute(_link(tree, "amphtml"), base)
    )


def find_links(html: str | LexborHTMLParser, base_url: str) -> list[str]:
    """Every ``<a href>`` as an absolute http(s) URL, fragments dropped, first-seen order."""
    tree = _tree(html)
    base = _base(tree, base_url)
    seen: dict[str, None] = {}
    for node in tree.css("a[href]"):
        url = absolute(node.attributes.get("href"), base)
        if url is not None:
            seen.setdefault(url, None)
    return list(seen)


def _iso(value: str | None) -> str | None:
    """``value`` stripped if it is an ISO 8601 date or datetime, else None."""
    if not value:
        return None
    value = value.strip()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _json_ld_dates(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """datePublished / dateModified of the first JSON-LD object that has them."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data: Any = json.loads(node.text(deep=True) or "null")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "datePublished" in item or "dateModified" in item:
                    return _iso(str(item.get("datePublished") or "")), _iso(
                        str(item.get("dateModified") or "")
                    )
                stack.extend(v for k, v in item.items() if k == "@graph")
    return None, None


def _language(tree: LexborHTMLParser) -> str | None:
    """``<html lang>``, else Content-Language / og:locale, as "en" or "en-US"."""
    root = tree.css_first("html")
    candidates = [
        root.attributes.get("lang") if root else None,
        root.attributes.get("xml:lang") if root else None,
        _meta_http_equiv(tree, "content-language"),
        _meta(tree, ("og:locale",)),
    ]
    for value in candidates:
        match = _LANG.match((value or "").strip().split(",")[0].strip())
        if match:
            primary, region = match[1].lower(), match[2]
            if region is None:
                return primary
            return f"{primary}-{region.upper() if len(region) == 2 else region.title()}"
    return None


def _meta_http_equiv(tree: LexborHTMLParser, name: str) -> str | None:
    for node in tree.css("meta[http-equiv][content]"):
        if (node.attributes.get("http-equiv") or "").strip().lower() == name:
            return node.attributes.get("content")
    return None


def read_head_meta(html: str | LexborHTMLParser) -> HeadMeta:
    """Dates as declared (ISO strings kept verbatim) and the page language."""
    tree = _tree(html)
    ld_published, ld_modified = _json_ld_dates(tree)
    published = _iso(_meta(tree, _PUBLISHED_META)) or ld_published or _time_attr(tree)
    modified = _iso(_meta(tree, _MODIFIED_META)) or ld_modified
    names = tuple(n for n in (_meta(tree, (k,)) for k in _SITE_NAME_META) if n)
    headings = tuple(
        " ".join((h.text(deep=True) or "").split()) for h in tree.css("h1")[:MAX_HEADINGS]
    )
    return HeadMeta(
        published=published,
        modified=modified,
        language=_language(tree),
        site_names=names,
        headings=tuple(h for h in headings if h),
    )


def _time_attr(tree: LexborHTMLParser) -> str | None:
    """``<time itemprop=datePublished datetime=...>``, a common microdata form."""
    node: LexborNode | None = tree.css_first('time[itemprop="datePublished"][datetime]')
    return _iso(node.attributes.get("datetime")) if node else None
