from __future__ import annotations

from datetime import UTC, datetime

from archiver.records.articles import VersionView
from archiver.version import (
    body_hash,
    content_hash,
    diff_versions,
    normalize_text,
    word_diff,
)


def test_normalization_erases_typography_not_words() -> None:
    a = "Trump said it was \u201ca great honor\u201d \u2014 twice.\n\n\nKim\u00a0agreed."
    b = 'Trump said it was "a great honor" - twice.\nKim agreed.  '
    assert normalize_text(a) == normalize_text(b)
    assert content_hash("Title", a) == content_hash("Title", b)
    assert content_hash("Title", a) != content_hash("Title", a.replace("twice", "thrice"))
    assert content_hash("Title", a) != content_hash("Another title", a)


def test_body_hash_is_sha256() -> None:
    assert body_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _render(ops: list) -> str:  # type: ignore[type-arg]
    out = []
    for op in ops:
        out.append(op.text if op.kind == "equal" else f"<{op.kind}:{op.text}>")
    return "".join(out)


def test_word_diff_marks_words_inside_changed_paragraph() -> None:
    old = "First paragraph stays.\n\nKim met Trump on Sunday.\n\nLast one."
    new = "First paragraph stays.\n\nKim met Trump on Monday.\n\nLast one."
    ops = word_diff(old, new)
    rendered = _render(ops)
    assert "<delete:Sunday.>" in rendered
    assert "<insert:Monday.>" in rendered
    assert "".join(op.text for op in ops if op.kind != "insert") == old
    assert "".join(op.text for op in ops if op.kind != "delete") == new


def test_word_diff_whole_paragraph_insert() -> None:
    old = "A.\nB."
    new = "A.\nNew paragraph here.\nB."
    ops = word_diff(old, new)
    assert [op.kind for op in ops] == ["equal", "insert", "equal"]
    assert ops[1].text == "New paragraph here.\n"


def _version(seq: int, title: str, text: str, authors: tuple[str, ...] = ("A",)) -> VersionView:
    return VersionView(
        article_id=1, seq=seq, title=title, authors=authors, published="2019-06-30",
        modified=None, site_name="S", language="en", description=None, text=text,
        text_hash=content_hash(title, text), capture_id=seq, created_at=datetime.now(UTC),
    )  # fmt: skip


def test_diff_versions_calls_out_metadata() -> None:
    old = _version(1, "Old title", "one two three")
    new = _version(2, "New title", "one two four", authors=("A", "B"))
    diff = diff_versions(old, new)
    changed = {c.field: (c.old, c.new) for c in diff.fields}
    assert changed == {"title": ("Old title", "New title"), "authors": ("A", "A; B")}
    assert (diff.words_added, diff.words_removed) == (1, 1)
    assert (diff.from_seq, diff.to_seq) == (1, 2)
