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
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document

from archiver.errors import EmptyExtractionError, ExtractError
from archiver.extract.blocks import fingerprint
from archiver.extract.bounds import check_bounds
from archiver.extract.decode import decode_html
from archiver.extract.links import parse, read_head_meta, read_links
from archiver.extract.options import PRECISION_OPTIONS, TRAFILATURA_OPTIONS
from archiver.extract.postfilter import (
    drop_link_labels,
    ordered_links,
    recover_split_body,
    trim_link_edges,
    trim_to_core,
)
from archiver.extract.result import Extracted

# -- text clean-up ---------------------------------------------------------------

# Generic chrome lines that survive when a publisher puts them in unlabelled
# markup. Only short lines are candidates, so a paragraph that merely mentions
# a browser or a newsletter is never dropped.
_MAX_CHROME_LINE = 200
_CHROME_LINES = re.compile(
    r"""(?ix)
    ^(?:IE|Internet\ Explorer)\s*\d*\ is\ (?:not|no\ longer)\ supported\b
    | ^(?:your|this)\ (?:web\ )?browser\ is\ (?:not|no\ longer|out\ of\ date|outdated)\b
    | ^(?:sign\ up|subscribe|register|join)\b.{0,100}\bnewsletters?\b
    | \bdelivered\ (?:directly\ |straight\ )?to\ your\ inbox\b
    | ^(?:advertisement|sponsored(?:\ content)?|story\ continues\ below(?:\ advertisement)?
       |continue\ reading\ below|scroll\ to\ continue(?:\ with\ content)?)\W*$
    """
)
_NO_CONTENT = re.compile(r"^[\s|:*•·_=~#+.\-–—]*$")  # table rules "|---|", bare list dashes


def clean_paragraphs(text: str) -> list[str]:
    """trafilatura's lines as paragraphs: whitespace collapsed, chrome lines dropped.

    A paragraph identical to the one before it is dropped too: responsive pages
    render the same promo or caption twice (desktop and mobile copies).
    """
    paragraphs: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if _NO_CONTENT.match(line):
            continue
        if paragraphs and paragraphs[-1] == line and not line.startswith("|"):
            continue  # (identical table rows are data, not a repeated promo)
        if len(line) <= _MAX_CHROME_LINE and _CHROME_LINES.search(line):
            continue
        paragraphs.append(line)
    return paragraphs


# -- extraction -----------------------------------------------------------------


# A page "has article text" when some paragraph is prose: at least this many
# words and not just the label of a link. Navigation-only pages otherwise come
# back as trafilatura's last-resort dump of menu labels.
MIN_PROSE_WORDS = 6
# Scripts written without spaces (CJK, Thai, Lao, Khmer, Myanmar): every three
# characters count as one word.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)


def _words(paragraph: str) -> int:
    return len(paragraph.split()) + len(_UNSPACED.findall(paragraph)) // 3


def has_prose(paragraphs: list[str], link_texts: set[str]) -> bool:
    """True when some paragraph reads as text rather than as a menu or link label."""
    return any(_words(p) >= MIN_PROSE_WORDS and p not in link_texts for p in paragraphs)


def _link_texts(tree: LexborHTMLParser) -> set[str]:
    return {" ".join((a.text(deep=True) or "").split()) for a in tree.css("a")}


_TOKENS = re.compile(r"\w+")


def _same_words(a: str, b: str) -> bool:
    return _TOKENS.findall(a.casefold()) == _TOKENS.findall(b.casefold())


def drop_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Paragraphs without repeats of the title: it is stored apart, never body text.

    On the benchmark, 39 of 181 pages repeat their headline as a paragraph;
    one of the hand-made article bodies counts it as text.
    """
    if not title or not _TOKENS.search(title):
        return paragraphs
    return [p for p in paragraphs if not _same_words(p, title)]


def _authors(value: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with "; "."""
    return tuple(a.strip() for a in (value or "").split(";") if a.strip())


def _bare(html: str, url: str, options: Mapping[str, Any]) -> Document | None:
    try:
        doc = trafilatura.bare_extraction(html, url=url, **options)
    except Exception as exc:  # third-party code fed hostile input: fail the page, not the worker
        raise ExtractError(f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    return None if doc is None or isinstance(doc, dict) else doc


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
    doc = _bare(html, url, TRAFILATURA_OPTIONS)
    if doc is None:
        raise EmptyExtractionError("no article text found")
    paragraphs = drop_title(clean_paragraphs(doc.text or ""), doc.title)
    link_texts = _link_texts(tree)
    if not has_prose(paragraphs, link_texts):
        raise EmptyExtractionError("no article text found")
    candidates = tuple(dict.fromkeys(fingerprint(p) for p in paragraphs))
    strict = _bare(html, url, PRECISION_OPTIONS)
    if strict is not None:
        paragraphs = trim_to_core(paragraphs, clean_paragraphs(strict.text or ""), tree)
    ordered = ordered_links(link_texts)
    paragraphs = trim_link_edges(drop_link_labels(paragraphs, ordered), ordered)
    paragraphs = recover_split_body(paragraphs, tree, ordered)
    return Extracted(
        text="\n\n".join(paragraphs),
        title=doc.title or None,
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
