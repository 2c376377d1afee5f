"""Untrusted XML bytes → text: decoded as an XML parser would, then its DTD vetted.

Feeds and sitemaps come from the open web. Their entity declarations are
checked before any parser runs, and the check must see what the parser sees:
scanning raw bytes misses ``<\\0!\\0E\\0N\\0T\\0I\\0T\\0Y\\0`` in a UTF-16 document,
or a declaration spelled in any other encoding the XML declaration names. So
the document is decoded first (byte order mark, else the XML declaration,
else UTF-8), the text is checked, and the parsers are handed that same text
re-encoded as UTF-8: what was checked is exactly what gets parsed.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from archiver.errors import DiscoverError

# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# No mark, but a "<" in a wide or EBCDIC encoding (XML 1.0, appendix F).
_MARKERS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # "<?xm"
)
_WIDE = ("utf-16", "utf-32")
# Python codecs that are not character sets a document may be written in:
# punycode decodes in quadratic time, idna and undefined raise on most input.
_NOT_CHARSETS = frozenset({"punycode", "idna", "undefined", "unicode-escape", "raw-unicode-escape"})

# Anything that looks like an XML declaration (feedparser replaces those), and
# one that is well-formed (XML 1.0 production XMLDecl).
_DECLARATION = re.compile(r"<\?xml[ \t\r\n][^<>]*?\?>")
_XML_DECL = re.compile(
    r"""<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1"""
    r"""(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?"""
    r"""(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>"""
)
_ENCODING = re.compile(r"""\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]{0,39})\1""")

# The prolog ends at "<" and a name character (the root element), skipping what is
# quoted or inside a comment or PI. "\w" on purpose: the prolog then always
# covers what feedparser takes for it (up to its first "<\w", quotes or not).
_PROLOG_TOKEN = re.compile(r"""<!--|<\?|["']|<\w""")
_CLOSERS = {"<!--": "-->", "<?": "?>", '"': '"', "'": "'"}
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_LONG_BLANK = re.compile(r"\s{9,}")
# The only declarations tolerated in a feed: a character reference, or a short
# literal (old feeds declare &nbsp; so). The length bound keeps a document that
# references one entity a million times from growing more than ~3x.
_SAFE_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+[\w.-]+\s+(?:"(?:&\#\w+;|[^&%"<>]{0,8})"|'(?:&\#\w+;|[^&%'<>]{0,8})')\s*>"""
)


def _charset(label: str) -> str | None:
    """Python's canonical name for the character set ``label``; None if unusable."""
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not info._is_text_encoding or info.name in _NOT_CHARSETS:
        return None
    return info.name


def sniff_encoding(body: bytes) -> tuple[str | None, int]:
    """The encoding a byte order mark or a wide ``<`` announces, and the mark's length.

    ``(None, 0)`` for an ASCII-compatible start, where only the XML declaration
    (if any) can tell the encoding.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    for marker, name in _MARKERS:
        if body.startswith(marker):
            return name, 0
    return None, 0


def declared_encoding(head: str) -> str | None:
    """The ``encoding`` of the XML declaration that starts ``head``, as written."""
    declaration = _DECLARATION.match(head)
    found = _ENCODING.search(declaration.group()) if declaration else None
    return found[2] if found else None


def decode_xml(
    body: bytes, base_url: str, *, fallbacks: Iterable[str] = ()
) -> tuple[str, str | None]:
    """Text of an XML document without byte order mark, leading blanks and XML declaration.

    Returns the text and the declaration (None if there was none).

    The encoding is the byte order mark's, else the declared one, else UTF-8,
    as in XML 1.0 appendix F. A declared UTF-16/32 in a document without a mark
    is taken for UTF-8 (as libxml2 does), and names that are not character sets
    are ignored. ``fallbacks`` are tried in order when that encoding fails (feeds
    are often mislabelled); without one that works, ``DiscoverError``. The text
    always encodes back to UTF-8 (no lone surrogates).
    """
    sniffed, bom_length = sniff_encoding(body)
    data = body[bom_length:]
    head = data[:1024].decode(sniffed or "latin-1", errors="replace").lstrip()
    label = declared_encoding(head)
    declared = _charset(label) if label else None
    if bom_length or (sniffed and sniffed.startswith(_WIDE)):
        chosen = sniffed
    elif label is None or (declared and declared.startswith(_WIDE)):
        chosen = sniffed or "utf-8"
    else:
        chosen = declared  # None when the label names no usable character set
    for name in dict.fromkeys(c for c in (chosen, *fallbacks) if c):
        try:
            text = data.decode(name)
            text.encode("utf-8")
        except UnicodeError:
            continue
        text = text.lstrip()  # whitespace before the XML declaration is common
        declaration = _DECLARATION.match(text)
        if declaration is None:
            return text, None
        return text[declaration.end() :], declaration.group()
    reason = f"unsupported encoding {label!r}" if chosen is None else f"not valid {chosen}"
    raise DiscoverError(f"{base_url}: undecodable XML document ({reason})")


def well_formed_declaration(declaration: str) -> bool:
    """Whether ``declaration`` (as returned by ``decode_xml``) is a valid XMLDecl."""
    return _XML_DECL.fullmatch(declaration) is not None


def xml_prolog(text: str) -> str:
    """Everything before the root element: XML declaration, PIs, comments, DOCTYPE.

    Comments, processing instructions and quoted literals are skipped whole,
    so a ``<a`` inside one (``<!DOCTYPE r SYSTEM "<a" [...]>``) does not end
    the prolog early and hide the internal subset behind it. Anything left
    unterminated makes the whole rest count as prolog. Runs in linear time.
    """
    pos = 0
    while (token := _PROLOG_TOKEN.search(text, pos)) is not None:
        closer = _CLOSERS.get(token.group())
        if closer is None:
            return text[: token.start()]
        end = text.find(closer, token.end())
        if end < 0:
            return text
        pos = end + len(closer)
    return text


def squeeze_prolog(text: str) -> str:
    """``text`` with each run of 9+ blanks in its prolog cut to one newline or space.

    Blanks there mean nothing (a tolerated entity value is shorter), but
    feedparser's DOCTYPE regexes (``^\\s*<!ENTITY``, multi-line) rescan a run of
    blanks from every line start in it: 200 KB of newlines cost minutes.
    """
    prolog = xml_prolog(text)
    if not _LONG_BLANK.search(prolog):
        return text
    squeezed = _LONG_BLANK.sub(lambda m: "\n" if "\n" in m.group() else " ", prolog)
    return squeezed + text[len(prolog) :]


def refuse_entities(text: str, base_url: str, *, what: str, literal_ok: bool) -> None:
    """Raise ``DiscoverError`` if the prolog of ``text`` declares XML entities.

    With ``literal_ok``, declarations whose value is one character reference or
    a short literal are tolerated; nested, parameter and external ones (what
    entity-expansion bombs are made of) never are. More than one DOCTYPE is
    refused too: no document has two, and each costs feedparser a rescan.
    """
    prolog = xml_prolog(text)
    if len(_DOCTYPE.findall(prolog)) > 1:
        raise DiscoverError(f"{base_url}: {what} has more than one DOCTYPE; refused")
    for declaration in _ENTITY_DECL.finditer(prolog):
        if not (literal_ok and _SAFE_ENTITY_DECL.match(prolog, declaration.start())):
            kind = "nested, external or long XML entities" if literal_ok else "XML entities"
            raise DiscoverError(f"{base_url}: {what} declares {kind}; refused")
