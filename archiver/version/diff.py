"""Word-level diffs between two versions, with metadata changes called out.

The diff runs paragraph by paragraph first and word by word only inside
changed paragraphs: that keeps long articles fast (difflib is quadratic in
the worst case) and gives readers diffs aligned on paragraphs.
"""

from __future__ import annotations

import difflib
import re
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
