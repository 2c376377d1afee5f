"""The volatile-block rules: what only ticks or rotates is never an edit, what is said is."""

from __future__ import annotations

import pytest

from archiver.extract.blocks import fingerprint
from archiver.version.volatile import (
    START,
    TINY_WORDS,
    Volatile,
    explain,
    ticks,
    tiny,
    volatile_indices,
)

BODY = (
    "The two leaders met at the border village for almost an hour on Sunday.",
    "Officials on both sides said the talks had been arranged in a hurry.",
    "Negotiators are expected to resume working-level discussions within weeks.",
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Updated at 03:54:13", "Updated at 03:55:02"),
        ("Updated 3 min ago", "Updated 12 min ago"),
        ("1,234 views", "1,301 views"),
        ("12,345 readers right now", "9,876 readers right now"),
        ("Last updated: Dec. 2, 2026 10:04 a.m.", "Last updated: Dec. 3, 2026 9:15 a.m."),
        ("Monday 14:02", "Tuesday 08:30"),
        ("The page was updated 3 hours ago.", "The page was updated 5 hours ago."),
        ("Published 2026-12-02 · 4 min read", "Published 2026-12-03 · 5 min read"),
    ],
)
def test_lines_that_only_tick(old: str, new: str) -> None:
    assert ticks(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a score, a toll, a figure in a sentence: corrections, not clocks
        ("Arsenal 2-1 Chelsea", "Arsenal 2-2 Chelsea"),
        (
            "At least 5 people were killed in the storm on Monday, officials said.",
            "At least 7 people were killed in the storm on Monday, officials said.",
        ),
        (
            "The talks began at 10:00 in the border village, officials said.",
            "The talks began at 11:30 in the border village, officials said.",
        ),
        (
            'He said: "we will meet again at 10:00 on Friday"',
            'He said: "we will meet again at 11:00 on Friday"',
        ),
        ("Updated at 03:54:13", "Updated at 03:54:13 by the desk"),
        ("Updated at 03:54:13", "Updated at 03:54:13"),
    ],
)
def test_lines_that_change_in_substance(old: str, new: str) -> None:
    assert not ticks(old, new)


def test_a_ticking_line_after_the_body_is_explained_and_learned_as_a_print() -> None:
    old = (*BODY, "Most read", "Updated at 03:54:13")
    new = (*BODY, "Most read", "Updated at 03:55:40")
    found = explain(old, new)
    assert found == (Volatile("print", fingerprint("Updated at 03:54:13")),)
    # a time and a date in the same masked shape share one fingerprint
    assert fingerprint("Updated at 03:54:13") == fingerprint("Updated at 03:55:40")


def test_an_edit_next_to_a_ticking_line_is_not_explained() -> None:
    old = (*BODY, "Updated at 03:54:13")
    edited = (
        *BODY[:2],
        "Negotiators will resume working-level discussions on Friday.",
        "Updated at 03:55:40",
    )
    assert explain(old, edited) is None
    added = (
        *BODY,
        "A new paragraph with the latest statement from the ministry.",
        "Updated at 03:55:40",
    )
    assert explain(old, added) is None
    assert explain(old, old) is None  # nothing changed: nothing to explain


def test_a_rotating_box_needs_two_changes_in_a_row() -> None:
    heads = [
        ("Storm closes schools", "Markets fall again"),
        ("Council budget passes", "Rail strike ends"),
        ("Museum reopens", "Heatwave warning"),
    ]
    v1, v2, v3 = ((*BODY, "Most read", *h, "Newsletter") for h in heads)
    assert explain(v2, v3) is None  # once: might be an edit
    found = explain(v2, v3, before=v1)
    assert found == (Volatile("slot", fingerprint("Most read"), 2),)
    # a sentence that changed in the same run is no rotation
    v3_edit = (*BODY[:2], "Negotiators resume talks on Friday, officials said today.", "Most read",
               *heads[2], "Newsletter")  # fmt: skip
    assert explain(v2, v3_edit, before=v1) is None
    # a different place than last time is no rotation either
    moved = (*BODY, "Most read", *heads[1], "Newsletter", "Spring Sale", "Ends Sunday")
    again = (*BODY, "Most read", *heads[1], "Newsletter", "Winter Sale", "Ends Monday")
    assert explain(moved, again, before=v1) is None


def test_learned_blocks_are_removed_but_never_the_whole_article() -> None:
    blocks = [*BODY, "Most read", "Museum reopens", "Heatwave warning", "Updated at 04:00:00"]
    prints = [fingerprint(b) for b in blocks]
    ticking = frozenset({fingerprint("Updated at 03:54:13")})
    slots = {fingerprint("Most read"): 2}
    removed = volatile_indices(blocks, prints, ticking, slots)
    assert removed == {4, 5, 6}
    # a slot stops at the first sentence: article text after it stays
    blocks2 = [*BODY[:1], "Most read", BODY[1], *BODY[2:]]
    assert volatile_indices(blocks2, [fingerprint(b) for b in blocks2], frozenset(), slots) == set()
    # a page made only of what was learned keeps everything
    short = ["Updated at 04:00:00", "Museum reopens"]
    assert volatile_indices(short, [fingerprint(b) for b in short], ticking, {START: 2}) == set()


def test_tiny_measures_the_words_an_edit_changed() -> None:
    old = (*BODY, "Updated at 03:54:13")
    assert tiny(old, (*BODY, "Updated at 03:54:13 (corrected)"))
    assert not tiny(old, old)
    long = " ".join(["Officials added a long statement about the talks."] * 3)
    assert len(long.split()) > TINY_WORDS
    assert not tiny(old, (*BODY, long, "Updated at 03:54:13"))


def test_a_rail_of_stamped_headlines_is_learned_on_its_first_rotation() -> None:
    old = (*BODY, "Storm closes schools 12 min ago", "Markets fall 3 min ago", "Updated at 03:54")
    new = (*BODY, "Council budget passes 5 min ago", "Rail strike ends 1 min ago",
           "Updated at 03:58")  # fmt: skip
    found = explain(old, new)
    assert found is not None
    assert Volatile("slot", fingerprint(BODY[-1]), 3) in found
    assert Volatile("print", fingerprint("Markets fall 9 min ago")) in found
    # a quoted headline with its age is a rail item too
    quoted = (*BODY, '"We will not back down from this fight," minister says 4 min ago',
              "Markets fall 3 min ago", "Updated at 03:58")  # fmt: skip
    assert explain(old, quoted) is not None
    # new timestamped entries added to the article (a live blog) are not a rotation
    added = (*BODY, "14:02 Troops cross the border", *old[len(BODY) :])
    assert explain(old, added) is None
    # nor are unstamped short lines replaced (a rewritten list in the article)
    listed = (*BODY, "Storm closes schools", "Markets fall")
    relisted = (*BODY, "Storm closes all schools", "Markets fall sharply")
    assert explain(listed, relisted) is None


def test_a_stamp_ticking_inside_one_long_block_is_explained_but_not_learned() -> None:
    """A page the extractor returns as one block (a table cell) with the box run into it:
    the clock with seconds and the live counter tick, nothing else changed. Explained
    (no version), but the block's print is not learned: it would remove the article's
    prose from the host's pages."""
    body = " ".join(BODY * 60)  # some 700 words in one block
    old = (f"{body} Most read 12,345 readers right now Updated at 03:54:13 Note: comments.",)
    new = (f"{body} Most read 9,876 readers right now Updated at 03:55:40 Note: comments.",)
    assert explain(old, new) == ()
    assert tiny(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("The talks began at 10:00 in the village.", "The talks began at 10:30 in the village."),
        ("The clip has 1,234 views so far, he said.", "The clip has 9,234 views so far, he said."),
        (
            'He said: "the alarm went off at 03:54:13 that night" in court.',
            'He said: "the alarm went off at 03:55:13 that night" in court.',
        ),
    ],
)
def test_figures_inside_a_long_block_are_still_edits(old: str, new: str) -> None:
    body = " ".join(BODY * 10)
    assert explain((f"{body} {old}",), (f"{body} {new}",)) is None


def test_a_rail_that_rotates_and_grows_is_still_a_rail() -> None:
    old = (*BODY, "Storm closes schools 12 min ago", "Markets fall 3 min ago")
    new = (*BODY, "Council budget passes 5 min ago", "Markets fall 3 min ago",
           "12,345 readers right now", "Updated at 03:58")  # fmt: skip
    found = explain(old, new)
    assert found is not None
    assert Volatile("print", fingerprint("Updated at 03:58")) in found
    # but stamped lines only added are new entries, not a rotation (a status line made only
    # of stamps is another matter: test_a_status_line_that_comes_and_goes_is_learned)
    assert explain(old, (*old, "Police close the coastal road 2 min ago")) is None


def test_a_status_line_that_comes_and_goes_is_learned() -> None:
    """The extractor keeps the box's last line on one fetch and not on the next."""
    status = "56,441 readers right now Updated at 10:24:34"
    found = explain(BODY, (*BODY, status))
    assert found == (Volatile("print", fingerprint(status)),)
    assert explain((*BODY, status), BODY) == found  # and when it goes
    assert explain((*BODY, "Updated at 03:54:13"), (*BODY, "9,876 readers right now")) is not None


def test_a_live_blogs_new_entry_is_no_status_line() -> None:
    entry = "10:32 Police arrive at the scene"
    assert explain(BODY, (*BODY, entry)) is None
    assert explain(BODY, (*BODY, "Most read")) is None
    assert explain(BODY, (*BODY, "1,234 people were evacuated on Monday")) is None
