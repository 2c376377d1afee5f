"""The seed-page fixture itself: the API other tests rely on, and its knobs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.fixtures import seedpages
from tests.fixtures.seedpages import seed_ids, seed_page

URL = "https://news.example.com/story"


def test_seed_ids_match_the_seed_files() -> None:
    assert seed_ids() == [0, 1, 2, 3]
    assert len(list(seedpages.seeds_dir().glob("*.txt"))) == len(seed_ids())


@pytest.mark.parametrize("n", seed_ids())
def test_page_carries_the_declared_head(n: int) -> None:
    page = seed_page(n, url=URL)
    assert page.title and page.paragraphs and page.junk
    for needle in (
        '<html lang="en">',
        "<title>",
        'property="og:title"',
        'name="author"',
        'property="article:published_time"',
        'property="og:site_name"',
    ):
        assert needle in page.html
    assert "og:url" not in page.html and 'rel="canonical"' not in page.html


def test_canonical_amp_and_amphtml_set_head_links() -> None:
    page = seed_page(1, url=URL, canonical="https://news.example.com/c", amphtml="/amp/c")
    assert '<link rel="canonical" href="https://news.example.com/c">' in page.html
    assert '<meta property="og:url" content="https://news.example.com/c">' in page.html
    assert '<link rel="amphtml" href="/amp/c">' in page.html
    amp = seed_page(1, url=URL, amp=True, canonical="https://news.example.com/c")
    assert amp.html.startswith('<!DOCTYPE html>\n<html amp lang="en">')
    assert "<amp-img" not in page.html


@pytest.mark.parametrize("n", seed_ids())
def test_rail_variant_changes_chrome_only(n: int) -> None:
    first, second = seed_page(n, url=URL), seed_page(n, url=URL, rail_variant=1)
    assert first.html != second.html
    assert first.paragraphs == second.paragraphs
    assert first.title == second.title


@pytest.mark.parametrize("n", seed_ids())
def test_edit_replaces_the_last_body_paragraph(n: int) -> None:
    original = seed_page(n, url=URL)
    edited = seed_page(n, url=URL, edit="Correction: an earlier version misstated the date.")
    assert edited.paragraphs[:-1] == original.paragraphs[:-1]
    assert edited.paragraphs[-1] == "Correction: an earlier version misstated the date."
    assert original.paragraphs[-1] not in html.unescape(edited.html)


def test_pages_are_deterministic() -> None:
    assert seed_page(3, url=URL, rail_variant=2) == seed_page(3, url=URL, rail_variant=2)


def test_unknown_seed_is_an_error() -> None:
    with pytest.raises(ValueError, match="no seed 9"):
        seed_page(9, url=URL)


def test_missing_seed_directory_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(seedpages.SEEDS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="seed texts not found"):
        seedpages.seeds_dir()


@pytest.mark.parametrize("n", seed_ids())
def test_hashed_markup_is_divs_with_hashed_classes_only(n: int) -> None:
    page = seed_page(n, url=URL, markup="hashed")
    semantic = seed_page(n, url=URL)
    assert (page.title, page.paragraphs, page.junk) == (
        semantic.title, semantic.paragraphs, semantic.junk,
    )  # fmt: skip
    body = page.html.split("<body>", 1)[1]
    for tag in ("<article", "<main", "<nav", "<aside", "<footer", "<header", "<section", "<p"):
        assert tag not in body
    classes = set(re.findall(r'class="([^"]+)"', body))
    assert classes and all(re.fullmatch(r"css-[0-9a-f]{6}", c) for c in classes)
    other = seed_page(n, url=URL, markup="hashed", rail_variant=2)
    assert set(re.findall(r'class="([^"]+)"', other.html)) == classes  # stable per site
