"""Text blocks of a clean text and their fingerprints (used by the extraction worker).

A block is one paragraph of the clean text (one of trafilatura's output
segments, see ``archiver.extract.templates``). Its fingerprint is what site
templates are learned from: a hash of the normalized text in which digits,
month and weekday names and relative times ("2 days ago") are masked, so a
rail item whose stamp ticks, or a crossword teaser whose date changes, keeps
its fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MIN_PROSE_WORDS = 6
"""A prose block has at least this many words (and ends like a sentence)."""
PRINT_CHARS = 16
"""Hex digits kept of a block's BLAKE2b digest (64 bits: no collisions within a host)."""

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAYS = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
_UNITS = r"sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|months?|years?"
_AGO = re.compile(rf"\b(?:\d+|an?|one)\s*(?:{_UNITS})\s+ago\b")
_CALENDAR = re.compile(rf"\b(?:{_MONTHS}|{_DAYS})\b\.?")
_DIGITS = re.compile(r"\d+")


def _mask_digits(match: re.Match[str]) -> str:
    """Short numbers (days, hours, counts) and long ones (years) mask differently, so a
    date keeps its shape ("##-#-#" for 2025-10-03) apart from a phone number ("#-##-##")."""
    return "#" if len(match[0]) <= 2 else "##"


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"\w+")


def normalize_block(text: str) -> str:
    """The text a fingerprint is taken of: case, width, spacing, times and digits masked."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _AGO.sub(" ‹ago› ", text)
    text = _CALENDAR.sub(" ‹cal› ", text)
    text = _DIGITS.sub(_mask_digits, text)
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    """A block's fingerprint: hex BLAKE2b of ``normalize_block(text)``."""
    digest = hashlib.blake2b(normalize_block(text).encode("utf-8"), digest_size=8)
    return digest.hexdigest()[:PRINT_CHARS]


def words(text: str) -> int:
    return len(_WORD.findall(text))


# Scripts written without spaces (CJK, Thai, Lao, Khmer, Myanmar): every three
# characters count as one word.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)


def spoken_words(text: str) -> int:
    """Words as a reader counts them: spaced words, and every three characters of a script
    written without spaces."""
    return len(text.split()) + len(_UNSPACED.findall(text)) // 3


_QUOTED = re.compile(r"[\"“„«]\s*(?:\w+[^\w\"“”„«»]+){3,}\w+[^\"“”„«»]{0,400}[\"”»]")


def has_quoted_speech(text: str) -> bool:
    """Double-quoted words (four or more): someone's statement, which articles may share."""
    return bool(_QUOTED.search(text))


def quotations(text: str) -> list[str]:
    """The double-quoted statements of ``text`` (see ``has_quoted_speech``), in order."""
    return _QUOTED.findall(text)


def is_prose(text: str) -> bool:
    """A sentence or more: enough words and final punctuation (headlines, labels are not)."""
    return words(text) >= MIN_PROSE_WORDS and bool(_SENTENCE_END.search(text.rstrip()))
