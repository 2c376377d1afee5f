"""Volatile blocks: lines of a page that change on their own are never edits.

A news page carries lines that change between two fetches although nobody
edited the article: a "Most read" box ending in ``Updated at 03:54:13``, "3 min
ago", "1,234 views", a box whose headlines rotate on every request. When the
site template does not remove them (the box sits on a few of the host's pages
only), each fetch would otherwise make a new version. Three rules recognise them,
comparing the blocks of the article's current version with the new page's
(both with the host's template removed):

* **ticking** (``explain`` without history): every changed block is paired
  with its new value at the same place, and the pair differs only in a time, a
  date, a counter or a relative age. A line that is not a sentence may tick in
  any of them; a sentence (or a long block: a box the extractor ran into the
  article's last paragraph) only in a relative age ("updated 3 hours ago."), a
  clock with seconds ("Updated at 03:54:13") or a live counter ("56,441 readers
  right now"): a sentence whose number or time changed is a correction ("at least 5 people"),
  and a line with a bare number and no unit ("Arsenal 2-1 Chelsea") is a score.
  Learned as a *print* (the block's fingerprint, in which those are masked).
* **rail** (``explain`` without history): every change replaces a run of
  short lines that each carry their own clock (a relative age, a time, a
  counter) by another such run: headlines with their "12 min ago", a "Most
  read" box with its stamp. A rotation replaces lines in place; an article's
  new entries are inserted, and a sentence is never a rail line. Learned as a
  slot (below) and as the prints of every line of the run.
* **status lines** (``explain`` without history): every changed line, inserted,
  deleted or replaced, is made of stamps and the words around them ("56,441
  readers right now Updated at 10:24:34"): the extractor keeps such a line on one
  fetch and not on the next. Learned as prints.
* **rotating** (``explain`` with the version before): the same run of short
  lines that are not sentences (headlines, labels) changed between the last two
  versions, made by consecutive fetches, and again now, with nothing else
  changed. Learned as a *slot*: up to ``span`` such lines after the block
  before the run (its fingerprint; "^" at the start of the page).

Volatile knowledge is kept per host (``archiver.store.templates``) and removed
from the host's pages like its template (``volatile_indices``), so that a box
learned on one article is never an edit on another. Nothing here reads the
store: blocks in, decisions out.

``tiny`` measures a real edit's size; the store counts re-checks in a row that
made a version with a tiny diff, and at ``TINY_STREAK`` flags the article and
stops restarting its ladder (a circuit breaker for churn no rule explains).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from archiver.extract.blocks import (
    MIN_PROSE_WORDS,
    fingerprint,
    has_quoted_speech,
    is_prose,
    quotations,
)
from archiver.extract.blocks import words as count_words
from archiver.extract.stamps import MARK, masked, stamped, status_line

SLOT_SPAN = 8
"""A rotating slot holds at most this many lines."""
SLOT_WORDS = 20
"""A rotating slot's lines have at most this many words (headlines, labels, stamps)."""
TINY_WORDS = 12
"""A version whose words changed by at most this many is a tiny diff."""
TINY_DIFF_WORDS = 50_000
"""Changed blocks longer than this (both sides, in words) are never a tiny diff."""
TINY_STREAK = 3
"""Re-checks in a row with tiny versions after which an article is flagged."""
START = "^"
"""The slot key of the page's start (no block before the run)."""

Kind = Literal["print", "slot"]


def _sentence(text: str) -> bool:
    """A sentence once its stamps are masked ("Last updated: Dec. 2, 10:04 a.m." is not);
    a block longer than any line of chrome is prose however it ends."""
    if count_words(text) > 2 * SLOT_WORDS:
        return True
    return is_prose(text) and is_prose(MARK.sub(" ", masked(text, sentence=False)))


def ticks(old: str, new: str) -> bool:
    """True when block ``old`` became ``new`` by a time, date, counter or age alone."""
    if old == new or quotations(old) != quotations(new):
        return False  # what someone said changed: never a clock
    sentence = _sentence(old) or _sentence(new)
    return masked(old, sentence=sentence) == masked(new, sentence=sentence)


def _status(old: Sequence[str], new: Sequence[str], ops: Ops) -> tuple[Volatile, ...] | None:
    """Every changed block, inserted, deleted or replaced, is a status line."""
    lines = [b for _, i1, i2, j1, j2 in ops for b in (*old[i1:i2], *new[j1:j2])]
    if not lines or not all(status_line(b) for b in lines):
        return None
    return tuple(dict.fromkeys(Volatile("print", fingerprint(b)) for b in lines))


def _slot_line(block: str) -> bool:
    """A line a slot may hold: short, not a sentence, and no quotation unless it is stamped
    (a rail item: a long or quoted headline with its "12 min ago")."""
    if is_prose(block) or count_words(block) > 2 * SLOT_WORDS:
        return False
    if count_words(block) <= SLOT_WORDS and not has_quoted_speech(block):
        return True
    return stamped(block)


@dataclass(frozen=True, slots=True)
class Volatile:
    """A learned volatile block of a host: a fingerprint, or a slot after an anchor."""

    kind: Kind
    key: str  # the block's fingerprint (print) or the anchor's fingerprint / START (slot)
    span: int = 1  # lines of a slot


@dataclass(frozen=True, slots=True)
class _Run:
    key: str  # fingerprint of the block before the run, or START
    after: str  # fingerprint of the block after the run, or "$"
    span: int


Ops = list[tuple[str, int, int, int, int]]


def _ops(old: Sequence[str], new: Sequence[str]) -> Ops:
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    return [op for op in matcher.get_opcodes() if op[0] != "equal"]


def _ticking(old: Sequence[str], new: Sequence[str], ops: Ops) -> tuple[Volatile, ...] | None:
    learned: list[Volatile] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag != "replace" or i2 - i1 != j2 - j1:
            return None
        for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
            if not ticks(a, b):
                return None
            if max(count_words(a), count_words(b)) > 2 * SLOT_WORDS:
                continue  # a long block's print would remove its prose from the host's pages
            learned.extend(
                Volatile("print", p) for p in dict.fromkeys((fingerprint(a), fingerprint(b)))
            )
    return tuple(dict.fromkeys(learned))


def rail_line(block: str) -> bool:
    """A line of a rail: short, no sentence, and stamped with its own clock."""
    return _slot_line(block) and stamped(block)


def _rail(old: Sequence[str], new: Sequence[str], ops: Ops) -> tuple[Volatile, ...] | None:
    """Runs of stamped short lines replaced by other stamped short lines: a rail of
    headlines each with its age, a "Most read" box with its stamp. Learned at once.
    A rail that rotates may also grow or shrink elsewhere (lines inserted or deleted
    next to it), but lines only inserted (a live blog's new entries) are no rotation."""
    if not any(tag == "replace" for tag, *_ in ops):
        return None
    learned: list[Volatile] = []
    for tag, i1, i2, j1, j2 in ops:
        lines = [*old[i1:i2], *new[j1:j2]]
        if max(i2 - i1, j2 - j1) > SLOT_SPAN or not all(rail_line(b) for b in lines):
            return None
        if tag == "replace":
            key = fingerprint(old[i1 - 1]) if i1 > 0 else START
            learned.append(Volatile("slot", key, max(i2 - i1, j2 - j1)))
        learned.extend(Volatile("print", fingerprint(b)) for b in lines)
    return tuple(dict.fromkeys(learned))


def _run(old: Sequence[str], new: Sequence[str], ops: Ops) -> _Run | None:
    """The one run of short non-sentence lines in which ``old`` and ``new`` differ."""
    if len(ops) != 1:
        return None
    _, i1, i2, j1, j2 = ops[0]
    lines = [*old[i1:i2], *new[j1:j2]]
    if max(i2 - i1, j2 - j1) > SLOT_SPAN or not all(_slot_line(b) for b in lines):
        return None
    key = fingerprint(old[i1 - 1]) if i1 > 0 else START
    after = fingerprint(old[i2]) if i2 < len(old) else "$"
    return _Run(key, after, max(i2 - i1, j2 - j1))


def explain(
    old: Sequence[str], new: Sequence[str], before: Sequence[str] | None = None
) -> tuple[Volatile, ...] | None:
    """The volatile blocks that explain every difference from ``old`` to ``new``, or None
    when something else changed (an edit). Empty: explained, but nothing to learn (a
    stamp that ticks inside a long block, whose print must not be removed from the
    host's pages).

    ``before``: the blocks of the version before ``old``, when ``old`` was made by
    the fetch right before this one (the rotating rule needs two changes in a row).
    """
    ops = _ops(old, new)
    if not ops:
        return None
    found = _ticking(old, new, ops)
    if found is not None:
        return found
    found = _rail(old, new, ops) or _status(old, new, ops)
    if found:
        return found
    if before is None:
        return None
    run, prior = _run(old, new, ops), _run(before, old, _ops(before, old))
    if run is None or prior is None or (run.key, run.after) != (prior.key, prior.after):
        return None
    return (Volatile("slot", run.key, max(run.span, prior.span)),)


def volatile_indices(
    blocks: Sequence[str],
    prints: Sequence[str],
    volatile: frozenset[str],
    slots: Mapping[str, int],
) -> set[int]:
    """Indices of the blocks a host's volatile knowledge removes (never all the article)."""
    removed = {i for i, p in enumerate(prints) if p in volatile}
    anchors = [(-1, START), *enumerate(prints)]
    for at, key in anchors:
        span = slots.get(key, 0)
        j = at + 1
        while span > 0 and j < len(blocks) and _slot_line(blocks[j]):
            removed.add(j)
            span -= 1
            j += 1
    if not any(
        count_words(blocks[i]) >= MIN_PROSE_WORDS for i in range(len(blocks)) if i not in removed
    ):
        return set()
    return removed


def tiny(old: Sequence[str], new: Sequence[str]) -> bool:
    """True when the blocks changed by at most ``TINY_WORDS`` words (and did change)."""
    ops = _ops(old, new)
    if not ops:
        return False
    changed_old = [b for _, i1, i2, _, _ in ops for b in old[i1:i2]]
    changed_new = [b for _, _, _, j1, j2 in ops for b in new[j1:j2]]
    if abs(sum(map(count_words, changed_old)) - sum(map(count_words, changed_new))) > TINY_WORDS:
        return False
    a = " ".join(changed_old).split()
    b = " ".join(changed_new).split()
    if len(a) + len(b) > TINY_DIFF_WORDS:
        return False  # not worth a diff: no extraction keeps a block that long
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed = sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )
    return changed <= TINY_WORDS
