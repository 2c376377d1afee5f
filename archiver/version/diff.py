"""Word-level diffs between two versions, with metadata changes called out.

The diff runs paragraph by paragraph first and word by word only inside
changed paragraphs: that keeps long articles fast (difflib is quadratic in
the worst case) and gives readers diffs aligned on paragraphs. ``excerpt``
keeps only the changed paragraphs and a few around them, for people.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from archiver.records.articles import VersionView

OpKind = Literal["equal", "insert", "delete"]
# A word with the whitespace after it: runs of changed words then form one
# contiguous insertion or deletion instead of words split by "equal" spaces.
_TOKENS = re.compile(r"\S+[^\S\n]*|\s+")
METADATA_FIELDS = ("title", "authors", "published", "modified", "site_name", "language")


@dataclass(frozen=True, slots=True)
class DiffOp:
    kind: OpKind
    text: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class VersionDiff:
    article_id: int
    from_seq: int
    to_seq: int
    fields: list[FieldChange] = field(default_factory=list)
    ops: list[DiffOp] = field(default_factory=list)

    @property
    def words_added(self) -> int:
        return sum(len(op.text.split()) for op in self.ops if op.kind == "insert")

    @property
    def words_removed(self) -> int:
        return sum(len(op.text.split()) for op in self.ops if op.kind == "delete")


def _push(ops: list[DiffOp], kind: OpKind, text: str) -> None:
    if not text:
        return
    if ops and ops[-1].kind == kind:
        ops[-1] = DiffOp(kind, ops[-1].text + text)
    else:
        ops.append(DiffOp(kind, text))


def _words(old: str, new: str, ops: list[DiffOp]) -> None:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(ops, "equal", "".join(a[i1:i2]))
        else:
            _push(ops, "delete", "".join(a[i1:i2]))
            _push(ops, "insert", "".join(b[j1:j2]))


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Diff two texts; paragraphs are lines separated by newlines."""
    a, b = old.split("\n"), new.split("\n")
    ops: list[DiffOp] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(ops, "equal", "".join(p + "\n" for p in a[i1:i2]))
        elif tag == "delete":
            _push(ops, "delete", "".join(p + "\n" for p in a[i1:i2]))
        elif tag == "insert":
            _push(ops, "insert", "".join(p + "\n" for p in b[j1:j2]))
        else:
            _words("\n".join(a[i1:i2]) + "\n", "\n".join(b[j1:j2]) + "\n", ops)
    if ops and ops[-1].kind == "equal" and not new.endswith("\n"):
        ops[-1] = DiffOp("equal", ops[-1].text[:-1])
    return ops


def _field_value(version: VersionView, name: str) -> str | None:
    value = getattr(version, name)
    if isinstance(value, tuple):
        return "; ".join(value) or None
    return value if value is None else str(value)


def diff_versions(old: VersionView, new: VersionView) -> VersionDiff:
    """Everything that changed between two versions of one article."""
    fields = [
        FieldChange(name, _field_value(old, name), _field_value(new, name))
        for name in METADATA_FIELDS
        if _field_value(old, name) != _field_value(new, name)
    ]
    return VersionDiff(
        article_id=new.article_id,
        from_seq=old.seq,
        to_seq=new.seq,
        fields=fields,
        ops=word_diff(old.text, new.text),
    )


@dataclass(frozen=True, slots=True)
class Hunk:
    """Consecutive paragraphs shown, after ``skipped`` unchanged ones left out."""

    skipped: int
    ops: list[DiffOp]


@dataclass(frozen=True, slots=True)
class Excerpt:
    hunks: list[Hunk]
    skipped_after: int = 0  # unchanged paragraphs left out after the last hunk

    @property
    def changed(self) -> bool:
        return any(op.kind != "equal" for hunk in self.hunks for op in hunk.ops)


def paragraph_ops(ops: Sequence[DiffOp]) -> list[list[DiffOp]]:
    """The ops cut into paragraphs (lines of the merged text), each with its newline."""
    lines: list[list[DiffOp]] = [[]]
    for op in ops:
        start = 0
        while (end := op.text.find("\n", start)) != -1:
            lines[-1].append(DiffOp(op.kind, op.text[start : end + 1]))
            lines.append([])
            start = end + 1
        if start < len(op.text):
            lines[-1].append(DiffOp(op.kind, op.text[start:]))
    return lines if lines[-1] else lines[:-1]


def _units(lines: list[list[DiffOp]]) -> list[list[DiffOp]]:
    """Lines grouped into paragraphs: a blank line belongs to the paragraph before it."""
    units: list[list[DiffOp]] = []
    only_blank = False  # the last unit has no text yet (blank lines at the very start)
    for line in lines:
        blank = all(not op.text.strip() for op in line)
        if units and (blank or only_blank):
            units[-1] += line
            only_blank = only_blank and blank
        else:
            units.append(list(line))
            only_blank = blank
    return units


def excerpt(ops: Sequence[DiffOp], context: int | None) -> Excerpt:
    """The changed paragraphs with ``context`` unchanged ones around each (None: all text).

    Paragraphs are the text's non-blank lines (blank lines between them go with
    the one before). Hunks whose context would touch or overlap are merged; a
    diff without changes has no hunks unless the whole text is asked for.
    """
    if context is None:
        return Excerpt([Hunk(0, list(ops))] if ops else [])
    units = _units(paragraph_ops(ops))
    spans: list[list[int]] = []
    for i, unit in enumerate(units):
        if all(op.kind == "equal" for op in unit):
            continue
        low, high = max(0, i - context), min(len(units), i + context + 1)
        if spans and low <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], high)
        else:
            spans.append([low, high])
    hunks, shown_to = [], 0
    for low, high in spans:
        merged: list[DiffOp] = []
        for unit in units[low:high]:
            for op in unit:
                _push(merged, op.kind, op.text)
        hunks.append(Hunk(low - shown_to, merged))
        shown_to = high
    return Excerpt(hunks, len(units) - shown_to)
