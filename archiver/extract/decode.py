"""Bytes to text the way browsers do it, minus their mistakes.

``decode_html`` tries, in order: a byte-order mark, valid UTF-8, the HTTP
charset, the page's ``<meta>`` charset, then windows-1252 unless a detector's
guess is clearly better (see ``_undeclared``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

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
    return body.decode(_undeclared(body[: _SNIFF_BYTES * 4]), errors="archiver-latin1")


# -- no usable declaration: cp1252 unless a detector's guess is clearly better ------------

# The legacy encodings each language's pages use (WHATWG's locale defaults and
# their siblings): the page's own language makes a detector's guess believable.
_LEGACY_BY_LANGUAGE = {
    ("ar", "fa", "ur"): ("cp1256", "iso8859-6"),
    ("be", "bg", "kk", "mk", "ru", "sr", "uk"): (
        "cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic",
    ),
    ("bs", "cs", "hr", "hu", "pl", "ro", "sk", "sl"): ("cp1250", "iso8859-2", "iso8859-16"),
    ("el",): ("cp1253", "iso8859-7"),
    ("he", "yi"): ("cp1255", "iso8859-8"),
    ("et", "lt", "lv"): ("cp1257", "iso8859-13", "iso8859-4", "cp775"),
    ("az", "tr"): ("cp1254",),
    ("th",): ("cp874",),
    ("vi",): ("cp1258",),
    ("ja",): ("cp932", "euc_jp", "euc_jis_2004", "iso2022_jp"),
    ("ko",): ("cp949", "johab"),
    ("zh",): ("gb18030", "big5", "big5hkscs", "cp950", "hz"),
}  # fmt: skip
_PAGE_LANGUAGE = re.compile(
    rb"""<html\b[^>]{0,500}?\blang\s*=\s*["']?\s*([a-z]{2,3})\b|"""
    rb"""<meta[^>]{0,200}?content-language["'][^>]{0,100}?content\s*=\s*["']?\s*([a-z]{2,3})\b""",
    re.IGNORECASE,
)
_WESTERN = "cp1252"


def _page_language(sample: bytes) -> str | None:
    match = _PAGE_LANGUAGE.search(sample)
    return (match[1] or match[2]).decode("ascii").lower() if match else None


def _language_codecs(language: str | None) -> set[str]:
    for languages, labels in _LEGACY_BY_LANGUAGE.items():
        if language in languages:
            return {codec for label in labels if (codec := _codec(label))}
    return set()


def _plausible(text: str, other: str) -> int:
    """How many of the characters where ``text`` and ``other`` differ make sense in place.

    A letter makes sense next to another letter; punctuation or a symbol makes
    sense unless it sits inside a word (apostrophes and dashes may); a control
    character never does. Mojibake puts letters where quotes, dashes and the euro
    sign stood ("said ōwe … Ć5"), or symbols inside words.
    """
    score = 0
    for i, (char, twin) in enumerate(zip(text, other, strict=True)):
        if char == twin:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        kind = unicodedata.category(char)
        if kind.startswith("L"):
            score += before.isalpha() or after.isalpha()
        elif kind.startswith(("P", "S", "Z")):
            inside = before.isalpha() and after.isalpha()
            score += not inside or kind == "Pd" or char in "\u2019\u02bc'"
    return score


def _undeclared(sample: bytes) -> str:
    """The codec for bytes that are not UTF-8 and whose declarations failed.

    Browsers read such pages as windows-1252, and a detector's guess is often
    wrong on short Western text (a few curly quotes and a euro sign look like
    a Baltic DOS code page). A reading in an encoding of the page's own language
    (``<html lang>``) wins first; otherwise the guess wins only when cp1252 cannot read the
    bytes or reads them as gibberish (charset_normalizer's mess measure), or
    its text makes more sense
    where the two readings differ (on a tie: fits a language's letters better).
    """
    matches = from_bytes(sample)
    spoken = _language_codecs(_page_language(sample))
    for match in matches:  # best first: the page's own language picks among the readings
        if (codec := _codec(match.encoding)) in spoken:
            return codec
    guess = matches.best()
    detected = _codec(guess.encoding) if guess else None
    if guess is None or not detected or _is_wide(detected) or detected == _WESTERN:
        return _WESTERN
    try:
        western = sample.decode(_WESTERN)
    except UnicodeDecodeError:
        return detected  # cp1252 leaves five bytes undefined: these bytes use them
    as_western = from_bytes(sample, cp_isolation=[_WESTERN]).best()
    if as_western is None:
        return detected  # as cp1252 the text is a mess (Cyrillic, CJK, Greek ... bytes)
    other = sample.decode(detected, errors="archiver-latin1")
    if len(other) != len(western):
        return _WESTERN  # a multi-byte guess that cp1252 reads sensibly: not clearly better
    ours, theirs = _plausible(western, other), _plausible(other, western)
    if theirs == ours:  # as plausible: the letters of a language decide (Czech ř, not ø)
        return detected if guess.coherence > as_western.coherence else _WESTERN
    return detected if theirs > ours else _WESTERN
