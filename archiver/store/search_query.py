"""What a search query means, and how text is cut into tokens: no SQL here (``search.py``).

Chinese, Japanese and Korean are written without spaces between words, so
both databases' tokenizers would see a whole sentence as one word. Before
indexing (and in every query) each CJK character is set apart by
``SEPARATOR`` (U+001F, a control character that FTS5's ``unicode61`` and
PostgreSQL's parser treat as a word break in every locale): every character is
a token and a CJK term is searched as the phrase of its characters. That
finds words of any length, two-character ones such as 会談 included (a
trigram index cannot: it needs three characters per term), anywhere in a
sentence, in the same index as the stemmed words of other languages.
Snippets drop the separators again (``clean_snippet``).

Queries follow web-search conventions (``QUERY_SYNTAX``) and are rebuilt from
bare word tokens only: nothing a person types reaches the SQL engine as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archiver.records.articles import SNIPPET_MARK_END, SNIPPET_MARK_START

QUERY_SYNTAX = """\
\b
  words     every word must appear; inflections match (meeting finds meetings)
  "a b"     the exact phrase
  a OR b    either one
  -word     without this word (or -"a phrase")
  word*     words starting so (denuclear* finds denuclearization)
  会談      Chinese, Japanese and Korean terms match anywhere in the text,
            from one character up (会談 finds 首脳会談が)
  Case never matters; accents only on PostgreSQL."""
"""The query syntax, as ``archiver search --help`` shows it (``\\b``: kept as written)."""

SEPARATOR = "\x1f"
CJK_CLASS = (
    "[\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u309f\u30a0-\u30ff\u3100-\u312f"
    "\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
"""Han, kana, Hangul and their extensions: the characters indexed one by one
(a regular expression class valid in Python and in PostgreSQL)."""

_CJK = re.compile(CJK_CLASS)
_WORD = re.compile(r"[^\W_]+")  # the engines split on "_" too
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|([^\s"]+)')  # a quote opens a phrase anywhere
_ADJACENT_MARKS = SNIPPET_MARK_END + SNIPPET_MARK_START
INDEX_STRIP = SNIPPET_MARK_START + SNIPPET_MARK_END + SEPARATOR
"""Characters removed from indexed text (snippet marks and the separator are ours)."""
_STRIP = str.maketrans("", "", INDEX_STRIP + "\x00")


@dataclass(frozen=True, slots=True)
class Phrase:
    """Tokens that must follow each other; ``prefix``: the last one may go on (``word*``)."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(slots=True)
class ParsedQuery:
    """A web-search style query as groups of phrases: AND of (OR of phrases), minus exclusions."""

    groups: list[list[Phrase]] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)


def segment(value: str) -> str:
    """``value`` ready to index: our control characters removed, each CJK character set apart."""
    return _CJK.sub(lambda m: SEPARATOR + m.group() + SEPARATOR, value.translate(_STRIP))


def _tokens(value: str) -> tuple[str, ...]:
    return tuple(t for w in _WORD.findall(value) for t in segment(w).split(SEPARATOR) if t)


def parse_query(query: str) -> ParsedQuery:
    """Split what a person typed into phrases of plain tokens; punctuation is dropped."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _QUERY_TOKEN.finditer(query):
        negate, quoted, star, bare = match.group(1, 2, 3, 4)
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(parsed.groups)
                continue
            negate, quoted = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            star = "*" if quoted.endswith("*") else ""
        words = _tokens(quoted or "")
        if not words:
            continue
        phrase = Phrase(words, prefix=bool(star))
        if negate:
            parsed.excluded.append(phrase)
        elif pending_or:
            parsed.groups[-1].append(phrase)
        else:
            parsed.groups.append([phrase])
        pending_or = False
    return parsed


def fts5_expression(parsed: ParsedQuery) -> str | None:
    """An FTS5 MATCH expression built only from quoted token phrases (None: match nothing)."""
    if not parsed.groups:
        return None

    def phrase(p: Phrase) -> str:  # tokens never contain a quote
        return '"' + " ".join(p.words) + '"' + (" *" if p.prefix else "")

    expr = " AND ".join("(" + " OR ".join(map(phrase, g)) + ")" for g in parsed.groups)
    if parsed.excluded:
        expr = f"({expr}) NOT ({' OR '.join(map(phrase, parsed.excluded))})"
    return expr


def clean_snippet(snippet: str) -> str:
    """A snippet as the text reads: separators gone, a CJK term marked as one."""
    return snippet.replace(SEPARATOR, "").replace(_ADJACENT_MARKS, "")


PG_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
"""ISO 639-1 codes and PostgreSQL's built-in text search configurations (stemmers)."""


def pg_config(language: str | None) -> str:
    """The text search configuration for a page's language (``de-AT`` -> ``german``);
    ``simple`` (no stemming, no stop words) when there is none for it."""
    code = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return PG_CONFIGS.get(code, "simple")
