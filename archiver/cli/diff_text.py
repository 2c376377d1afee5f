"""``archiver diff`` as text: what changed, the changed paragraphs and a little context.

Insertions are marked ``{+...+}`` and deletions ``[-...-]`` (and coloured green
and red when colour is on), a paragraph at a time, so that a pager or a
terminal never carries a colour over a line end. Unchanged paragraphs left out
are counted on a line of their own.
"""

from __future__ import annotations

from archiver.cli.render import page_date, stamp
from archiver.records.articles import VersionView
from archiver.version import DiffOp, FieldChange, VersionDiff
from archiver.version.diff import Excerpt, paragraph_ops

PLAIN = {"insert": ("{+", "+}"), "delete": ("[-", "-]")}
COLOR = {"insert": ("\x1b[32m{+", "+}\x1b[0m"), "delete": ("\x1b[31m[-", "-]\x1b[0m")}
DIM = ("\x1b[2m", "\x1b[0m")
ABSENT = "—"
DATE_FIELDS = ("published", "modified")


def _value(name: str, value: str | None) -> str:
    """A metadata value in quotes; an absent or empty one as a dash, never ``None``."""
    if not value:
        return ABSENT
    return f'"{page_date(value) if name in DATE_FIELDS else value}"'


def field_line(change: FieldChange) -> str:
    old, new = _value(change.field, change.old), _value(change.field, change.new)
    if old == new:  # the same time written another way: show what the pages said
        old, new = f'"{change.old}"', f'"{change.new}"'
    return f"{change.field}: {old} -> {new}"


def _paragraph(ops: list[DiffOp], marks: dict[str, tuple[str, str]]) -> str:
    out = []
    for op in ops:
        text = op.text.rstrip("\n")
        core = text.strip()
        if op.kind == "equal" or not core:
            out.append(text)
            continue
        start, end = marks[op.kind]
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        out.append(f"{lead}{start}{core}{end}{trail}")
    return "".join(out)


def _gap(count: int, *, color: bool) -> str:
    line = f"... {count} unchanged paragraph{'' if count == 1 else 's'} ..."
    return f"{DIM[0]}{line}{DIM[1]}" if color else line


def diff_text(
    diff: VersionDiff, old: VersionView, new: VersionView, shown: Excerpt, *, color: bool
) -> str:
    """The header (versions, their times, changed details, word counts), then ``shown``."""
    lines = [
        f"article {diff.article_id}: version {diff.from_seq} ({stamp(old.created_at)}) "
        f"-> {diff.to_seq} ({stamp(new.created_at)})"
    ]
    lines += [field_line(change) for change in diff.fields]
    if diff.words_added or diff.words_removed or any(op.kind != "equal" for op in diff.ops):
        lines.append(f"text: +{diff.words_added} words, -{diff.words_removed} words")
    else:
        lines.append("text: no changes")
    if not shown.hunks:
        return "\n".join(lines)
    marks = COLOR if color else PLAIN
    blocks = []  # hunks and the gaps between them, a blank line apart
    for hunk in shown.hunks:
        if hunk.skipped:
            blocks.append(_gap(hunk.skipped, color=color))
        shown_lines = [_paragraph(p, marks) for p in paragraph_ops(hunk.ops)]
        blocks.append("\n".join(shown_lines).rstrip())
    if shown.skipped_after:
        blocks.append(_gap(shown.skipped_after, color=color))
    return "\n".join([*lines, "", "\n\n".join(blocks)])
