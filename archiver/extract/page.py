"""Turn one fetched page (bytes) into clean article text and metadata.

``extract_page`` is pure and synchronous: it runs inside a worker process
(see pool.py), holds no state between calls, and the same bytes always give
the same ``Extracted``, which is what versioning by diff needs.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

import trafilatura
from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document

from archiver.errors import EmptyExtractionError, ExtractError
from archiver.extract.blocks import fingerprint
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

# -- decoding -----------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG Encoding Standard: browsers decode these labels with a superset, and
# pages rely on it (a "latin-1" page full of cp1252 curly quotes is the norm).
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})|"""
    rb"""<\?xml[^>]{0,100}encoding\s*=\s*["']([a-z0-9_.:-]{1,40})""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 16384  # meta tags sometimes follow kilobytes of inline script


def _byte_as_latin1(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes a codec leaves undefined as the same code point (WHATWG does so)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("archiver-latin1", _byte_as_latin1)


def _codec(label: str | None) -> str | None:
    """Python codec for a charset label, upgraded to the superset browsers use."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _is_wide(encoding: str) -> bool:
    return encoding.startswith(("utf-16", "utf-32"))


def _decode_declared(body: bytes, encoding: str) -> str | None:
    """Decode with a declared encoding; None when the declaration is clearly wrong."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        pass
    if encoding != "utf-8":
        # cp1252 & co.: a stray undefined byte must not cost the whole page.
        # (Multi-byte legacy codecs get the same treatment: the rest survives.)
        return body.decode(encoding, errors="archiver-latin1")
    # UTF-8 with a few broken sequences (truncated body, one bad paste) stays
    # UTF-8; a legacy page mislabelled as UTF-8 has no valid multibyte text.
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - body.count("\ufffd".encode())
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    return text if multibyte >= broken else None


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Bytes to text: BOM, valid UTF-8, HTTP charset, <meta> charset, then detection.

    Browsers let the HTTP header win over the bytes; here bytes that are valid
    UTF-8 are read as UTF-8 first, because "ISO-8859-1" server defaults on
    UTF-8 pages are common and the reverse (legacy text that happens to be
    valid multibyte UTF-8) practically never happens. For the same reason a
    <meta> charset that decodes the bytes without error beats an ISO-8859-1
    (cp1252) header. ``charset`` is the Content-Type parameter, if any.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    header = _codec(charset)
    if header and _is_wide(header) and (text := _decode_declared(body, header)) is not None:
        return text  # UTF-16 without BOM is only knowable from the header
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    meta = _codec((match[1] or match[2]).decode("ascii")) if match else None
    if meta and _is_wide(meta):
        meta = "utf-8"  # a <meta> readable as ASCII means the bytes are not UTF-16/32
    if header == "cp1252" and meta and meta != header:
        # "ISO-8859-1" is many servers' default (Apache, Tomcat), not the author's
        # choice, and cp1252 decodes any bytes; so the page's own <meta> (Shift_JIS,
        # GB2312...) wins when it reads the bytes without a single error.
        try:
            return body.decode(meta)
        except UnicodeDecodeError:
            pass
    for declared in (header, meta):
        if declared and not _is_wide(declared) and (text := _decode_declared(body, declared)):
            return text
    guess = from_bytes(body[: _SNIFF_BYTES * 4]).best()
    detected = _codec(guess.encoding if guess else None)
    if not detected or _is_wide(detected):
        detected = "cp1252"  # the web's legacy default
    return body.decode(detected, errors="archiver-latin1")


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
    navigation only, a script shell) and ExtractError when trafilatura fails.
    Dates the page declares in machine-readable form (meta, JSON-LD) are kept
    verbatim, so a datetime stays a datetime; trafilatura's htmldate guess
    (a day, "YYYY-MM-DD") is the fallback for published.
    """
    html = decode_html(body, charset)
    if not html.strip():
        raise EmptyExtractionError("no article text found")
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
