"""Stamps: the parts of a line that change on their own (clocks, dates, counters, ages).

A news page's chrome carries lines that tick between two fetches: "Updated at
03:54:13", "3 min ago", "1,234 views", "56,441 readers right now". ``masked``
replaces them by marks (‹ago›, ‹time›, ‹date›, ‹count›), so two lines can be
compared without them (``archiver.version.volatile``) and a line can be read
for what it says besides them: a headline link with its age is a rail item
(``postfilter.drop_stamped_links``), a line made only of stamps and the words
around them is a status line (``status_line``).
"""

from __future__ import annotations

import re
import unicodedata

from archiver.extract.blocks import words as count_words

STATUS_WORDS_MAX = 20
"""A status line has at most this many words."""

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAYS = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?|today|yesterday|tonight"
)
_UNITS = r"s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|months?|years?"
_NUMBER = r"\d[\d,.\u202f\u00a0']*"
_AGO = re.compile(rf"\b(?:{_NUMBER}|an?|one)\s*(?:{_UNITS})\.?\s+ago\b|\bjust now\b")
_TIME = re.compile(
    r"\b\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}\s*[ap]\.?m\b\.?"
)
_DATE = re.compile(
    rf"\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:{_DAYS})\b"
)
_COUNTER = re.compile(
    rf"\b{_NUMBER}\s*[km]?\s*(?:views?|comments?|shares?|likes?|reads?|readers?|reactions?"
    rf"|replies|reply|plays?|listens?|watching|online|min(?:ute)?s? read)\b"
)
MARK = re.compile(r"‹\w+›")
# What may tick inside a sentence or a long block besides a relative age: a clock
# with seconds (no prose reports a time to the second; a page's "Updated at"
# stamp does) and a live audience counter ("56,441 readers right now", "312
# watching"). A count that an article reports ("1,234 views", "at least 5
# people") is no stamp there: changing it is a correction.
_SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:\s*[ap]\.?m\b\.?)?")
_LIVE = re.compile(
    rf"\b{_NUMBER}\s*(?:people|readers?|viewers?|users?|visitors?)?\s*(?:are\s+)?"
    r"(?:reading(?: now)?|watching(?: now)?|online(?: now)?|right now)\b"
)
_CLOCKS = tuple(
    re.compile(pattern.pattern, re.IGNORECASE)
    for pattern in (_AGO, _SECONDS, _LIVE, _TIME, _COUNTER)
)


def masked(text: str, *, sentence: bool) -> str:
    """``text`` with its volatile parts replaced by a mark (in a sentence only ages, clocks
    with seconds and live counters)."""
    text = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    text = _AGO.sub("‹ago›", text)
    text = _SECONDS.sub("‹time›", text)
    text = _LIVE.sub("‹count›", text)
    if sentence:
        return text
    text = _TIME.sub("‹time›", text)
    text = _DATE.sub("‹date›", text)
    return _COUNTER.sub("‹count›", text)


STAMP = re.compile(r"‹(?:ago|time|count)›")


def stamped(block: str) -> bool:
    """A line that carries its own clock: a relative age, a time of day or a counter."""
    return bool(STAMP.search(masked(block, sentence=False)))


# Words a status line says around its stamps ("12,345 readers right now", "Updated at
# 03:54:13", "Last updated 3 min ago", "1,234 views"): nothing else is in it.
_STATUS_WORDS = frozenset(
    {
        "updated", "update", "last", "modified", "published", "posted", "refreshed", "as",
        "of", "at", "on", "by", "since", "ago", "now", "right", "just", "live", "readers",
        "reader", "people", "viewers", "views", "view", "reading", "watching", "online",
        "comments", "comment", "shares", "likes", "reads", "min", "mins", "minute",
        "minutes", "read",
    }
)  # fmt: skip
_WORDS = re.compile(r"[^\W\d_]+")


def status_line(block: str) -> bool:
    """A line made of stamps and the words around them, nothing a reader could call news:
    it may come and go with the page (a live counter, an "Updated at" line). A live
    blog's entry ("10:32 Police arrive at the scene") says something more."""
    if count_words(block) > STATUS_WORDS_MAX or not stamped(block):
        return False
    rest = MARK.sub(" ", masked(block, sentence=False))
    return all(word in _STATUS_WORDS for word in _WORDS.findall(rest))


# What makes a status line say so: a bare time or figure alone ("10 p.m.", "4.3333") is
# a live blog's entry heading or a table cell, not the page's clock.
_STATUS_SAYING = frozenset(
    {
        "updated", "update", "modified", "published", "posted", "refreshed", "ago", "now",
        "readers", "reader", "viewers", "views", "view", "reading", "watching", "online",
        "comments", "comment", "shares", "likes", "reads",
    }
)  # fmt: skip


def status_note(block: str) -> bool:
    """A status line that says what its stamp is ("Updated at 03:54:13", "56,441 readers
    right now"), which a page's text can drop: it tells nothing of the article."""
    if not status_line(block):
        return False
    return bool(set(_WORDS.findall(block.casefold())) & _STATUS_SAYING)


def unstamped(text: str) -> str:
    """``text`` (case and characters as they are) without its ages, clocks and counters:
    what a rail item says besides its "12 min ago"."""
    text = " ".join(text.split())
    for pattern in _CLOCKS:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def stamp_spans(text: str) -> list[tuple[int, int]]:
    """Where in ``text`` its ages, clocks and counters are (start, end offsets)."""
    return [m.span() for pattern in _CLOCKS for m in pattern.finditer(text)]
