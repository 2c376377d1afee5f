"""bench/extraction.py's metric: the article-extraction-benchmark's shingle scores."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.extraction import macro, norm_title, page_scores, shingles, visible_text


def test_shingles_are_multisets_of_four_tokens() -> None:
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }
    assert shingles("one, two!") == {("one", "two"): 1}  # shorter than n: one shingle
    assert shingles("") == {}


def test_page_scores() -> None:
    truth = "the quick brown fox jumps over the lazy dog"  # 6 shingles
    assert page_scores(truth, truth) == (1.0, 1.0)
    assert page_scores(truth, "the quick brown fox jumps") == (1.0, pytest.approx(2 / 6))
    p, r = page_scores(truth, truth + " and then sleeps")  # 3 more shingles, all wrong
    assert (p, r) == (pytest.approx(6 / 9), 1.0)
    assert page_scores(truth, "") == (None, 0.0)  # no prediction: precision left out
    assert page_scores("", "") == (None, None)  # nothing either side: page left out


def test_macro_means_then_f1() -> None:
    p, r, f1 = macro([(1.0, 0.5), (0.5, None), (None, 1.0)])
    assert (p, r) == (0.75, 0.75)
    assert f1 == pytest.approx(0.75)
    assert macro([]) == (0.0, 0.0, 0.0)


def test_visible_text_separates_blocks_and_drops_scripts() -> None:
    html = (
        "<div><h1>Head</h1><p>one <b>bo</b>ld</p><script>var x</script>"
        "<style>p{}</style><p>two<br>three</p><ul><li>a</li><li>b</li></ul></div>"
    )
    assert visible_text(html) == "Head\none bold\ntwo\nthree\na\nb"
    assert visible_text("") == ""


def test_norm_title() -> None:
    assert norm_title("  Hello\n  World ") == norm_title("hello world")
    assert norm_title(None) == ""
