"""Turn one fetched page (bytes) into clean article text and metadata.

``extract_page`` is pure and synchronous: it runs inside a worker process
(see pool.py), holds no state between calls, and the same bytes always give
the same ``Extracted``, which is what versioning by diff needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import trafilatura
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from selectolax.lexbor import LexborHTMLParser
from trafilatura.external import try_readability
from trafilatura.settings import Document
from trafilatura.utils import load_html

from archiver.errors import EmptyExtractionError, ExtractError
from archiver.extract.blocks import fingerprint, is_prose, spoken_words
from archiver.extract.bounds import check_bounds
from archiver.extract.decode import decode_html
from archiver.extract.edges import trim_menus, trim_teaser_rail
from archiver.extract.headings import recover_headings
from archiver.extract.lines import clean_paragraphs, drop_copies
from archiver.extract.links import parse, read_head_meta, read_links
from archiver.extract.meta import page_metadata
from archiver.extract.options import COMPARE_OPTIONS, TRAFILATURA_OPTIONS, prune_chrome
from archiver.extract.postfilter import (
    drop_caps_links,
    drop_link_labels,
    drop_stamped_links,
    ordered_links,
    recover_split_body,
    trim_link_edges,
)
from archiver.extract.titles import clean_title
from archiver.records.extracted import Extracted

# -- extraction -----------------------------------------------------------------


# A page "has article text" when some paragraph is prose: at least this many
# words and not just the label of a link. Navigation-only pages otherwise come
# back as trafilatura's last-resort dump of menu labels.
MIN_PROSE_WORDS = 6


def has_prose(paragraphs: list[str], link_texts: set[str]) -> bool:
    """True when some paragraph reads as text rather than as a menu or link label."""
    return any(spoken_words(p) >= MIN_PROSE_WORDS and p not in link_texts for p in paragraphs)


def _link_texts(tree: LexborHTMLParser) -> set[str]:
    return {" ".join((a.text(deep=True) or "").split()) for a in tree.css("a")}


_TOKENS = re.compile(r"\w+")


def _same_words(a: str, b: str) -> bool:
    return _TOKENS.findall(a.casefold()) == _TOKENS.findall(b.casefold())


def drop_title(paragraphs: list[str], *titles: str | None) -> list[str]:
    """Paragraphs without repeats of the title (as the page gives it, or cleaned): it is
    stored apart, never body text.

    On the benchmark, 39 of 181 pages repeat their headline as a paragraph;
    one of the hand-made article bodies counts it as text.
    """
    wanted = [t for t in titles if t and _TOKENS.search(t)]
    return [p for p in paragraphs if not any(_same_words(p, t) for t in wanted)]


def _authors(value: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with "; "."""
    return tuple(a.strip() for a in (value or "").split(";") if a.strip())


def _bare(tree: HtmlElement, url: str, options: Mapping[str, Any]) -> Document | None:
    """trafilatura's extraction of ``tree`` (which it copies, so each pass starts from
    the same pruned tree)."""
    try:
        doc = trafilatura.bare_extraction(tree, url=url, **options)
    except Exception as exc:  # third-party code fed hostile input: fail the page, not the worker
        raise ExtractError(f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    return None if doc is None or isinstance(doc, dict) else doc


SHORT_TEXT = 1000
"""A fast text shorter than this (some 150 words) is worth the rescue pass: trafilatura
tries jusText under 250 characters and escalates pages whose text covers little of them."""
RESCUE_RATIO = 2
"""Readability finding this many times the text calls for the rescue pass."""


def _readability_chars(html: str) -> int:
    """Characters of readability's reading of the page (what trafilatura compares with)."""
    tree = load_html(html)
    if tree is None:
        return 0
    found = try_readability(tree)
    return len(" ".join(found.text_content().split()))


def _visible_chars(tree: LexborHTMLParser) -> int:
    """Characters of the page's visible text (scripts and styles removed from ``tree``):
    more than readability can ever read of it."""
    tree.strip_tags(["script", "style", "noscript", "template"])
    body = tree.body
    return len(" ".join((body.text(deep=True, separator=" ") if body else "").split()))


def _extraction(html: str, tree: HtmlElement, url: str, visible: int) -> str | None:
    """trafilatura's fast pass, and its full cascade where that can add text.

    The full cascade compares its extraction with readability's and jusText's and
    may take theirs: it rescues pages whose main extraction misses the article, and
    it also replaces a whole article by a shorter reading now and then. So it runs
    only when the fast text is short or readability reads more than ``RESCUE_RATIO``
    times as much, and its text is taken only when it is longer (metadata stays the
    fast pass's). Readability is not asked when the page has too little visible text
    (``visible``) for it to read that much more. ``tree`` is trafilatura's parse of
    ``html`` with the chrome pruned; readability reads the page as it came."""
    doc = _bare(tree, url, TRAFILATURA_OPTIONS)
    text = (doc.text or "") if doc is not None else ""
    chars = len(text)
    if chars >= SHORT_TEXT and (
        visible <= RESCUE_RATIO * chars or _readability_chars(html) <= RESCUE_RATIO * chars
    ):
        return text or None
    rescue = _bare(tree, url, COMPARE_OPTIONS)
    if rescue is not None and len(rescue.text or "") > chars:
        return rescue.text
    return text if doc is not None else None


KEEP_SHARE = 0.5
"""Post-filters that leave less than this share of the prose have failed: undone."""


def _filtered(paragraphs: list[str], links: list[str]) -> list[str]:
    """The post-filters (postfilter.py, edges.py), each cutting only on positive evidence
    of chrome; if together they took half the prose, they misread the page and the
    text stays as trafilatura gave it (lost text is the worst error of an archive)."""
    kept = drop_caps_links(drop_link_labels(drop_stamped_links(paragraphs, links), links), links)
    kept = trim_teaser_rail(trim_menus(trim_link_edges(kept, links)), links)
    before = _prose_words(paragraphs)
    return kept if _prose_words(kept) >= KEEP_SHARE * before else list(paragraphs)


def _prose_words(paragraphs: list[str]) -> int:
    """Words of the prose paragraphs: the core of the page, which menus are not."""
    return sum(spoken_words(p) for p in paragraphs if is_prose(p))


def extract_page(body: bytes, url: str, charset: str | None = None) -> Extracted:
    """Clean text and metadata of one HTML page.

    Raises EmptyExtractionError when the page has no article text (empty,
    navigation only, a script shell), PageTooComplexError when its markup nests
    too deep or is too large (see bounds.py) and ExtractError when trafilatura fails.
    Dates the page declares in machine-readable form (meta, JSON-LD) are kept
    verbatim, so a datetime stays a datetime; trafilatura's htmldate guess
    (a day, "YYYY-MM-DD") is the fallback for published.
    """
    html = decode_html(body, charset)
    if not html.strip():
        raise EmptyExtractionError("no article text found")
    check_bounds(html)  # before any parser: deep or huge markup makes them all superlinear
    tree = parse(html)
    links = read_links(tree, url)
    head = read_head_meta(tree)
    visible = _visible_chars(tree)
    lxml_tree = load_html(html)
    if lxml_tree is None:
        raise EmptyExtractionError("no article text found")
    doc = page_metadata(lxml_tree, url, want_date=head.published is None)
    text = _extraction(html, prune_chrome(lxml_tree), url, visible)
    if text is None:
        raise EmptyExtractionError("no article text found")
    title = clean_title(doc.title, url, (*head.site_names, doc.sitename), head.headings)
    paragraphs = drop_title(drop_copies(clean_paragraphs(text)), doc.title, title)
    link_texts = _link_texts(tree)
    if not has_prose(paragraphs, link_texts):
        raise EmptyExtractionError("no article text found")
    candidates = tuple(dict.fromkeys(fingerprint(p) for p in paragraphs))
    ordered = ordered_links(link_texts)
    paragraphs = recover_split_body(_filtered(paragraphs, ordered), tree, ordered)
    paragraphs = recover_headings(paragraphs, tree, ordered)
    return Extracted(
        text="\n\n".join(paragraphs),
        title=title,
        authors=_authors(doc.author),
        published=head.published or doc.date or None,
        modified=head.modified,
        site_name=doc.sitename or None,
        language=head.language,
        description=doc.description or None,
        links=links,
        blocks=tuple(paragraphs),
        prints=tuple(fingerprint(p) for p in paragraphs),
        linked=tuple(p in link_texts for p in paragraphs),
        candidates=candidates,
    )
