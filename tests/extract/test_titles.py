"""Titles without the site's name, the <h1> when the title starts with it."""

from __future__ import annotations

import re

import pytest
import trafilatura

from archiver.extract import extract_page
from archiver.extract.titles import clean_title
from tests.fixtures.seedpages import SeedPage, seed_page

WEEK = "Trump calls stepping into North Korea an 'honor' after he became the first sitting U.S. president to do so"  # noqa: E501


@pytest.mark.parametrize(
    ("title", "url", "names", "expected"),
    [
        (f"{WEEK} | The Week", "https://theweek.test/a", ["The Week"], WEEK),
        (f"{WEEK} | The Week UK", "https://theweek.test/a", ["The Week"], WEEK),
        ("Donald Trump Meets Kim Jong-Un - On This Day", "https://www.onthisday.test/x", [],
         "Donald Trump Meets Kim Jong-Un"),
        ("West Ham hrozí gigantům | Aktuálně.cz", "https://zpravy.aktualne.test/x", [],
         "West Ham hrozí gigantům"),
        ("BBC News - Storm closes schools", "https://www.bbc.test/news/1", ["BBC News"],
         "Storm closes schools"),
        # a segment that is no site name stays: a subtitle, an author, a date
        ("Kim and Trump: the handshake - a timeline", "https://news.example.com/a",
         ["Example News"], "Kim and Trump: the handshake - a timeline"),
        ("The Week", "https://theweek.test/", ["The Week"], "The Week"),  # only the name: kept
        (None, "https://theweek.test/", ["The Week"], None),
    ],
)  # fmt: skip
def test_the_site_name_goes(title: str | None, url: str, names: list[str], expected: str) -> None:
    assert clean_title(title, url, names) == expected


def test_the_h1_wins_when_the_title_starts_with_it() -> None:
    h1 = "‘Star Wars’ Original Cuts Might Get Released"
    title = "'Star Wars' Original Cuts Might Get Released | Movies | Fandom"
    assert clean_title(title, "https://example.org/a", ["Fandom"], [h1]) == h1
    # a logo's <h1> is no headline
    assert clean_title(f"{WEEK} | The Week", "https://theweek.test/a", [], ["The Week"]) == WEEK


def _with_suffix(page: SeedPage, suffix: str) -> str:
    """The page with ``suffix`` on every title it declares (<title>, og:title, JSON-LD)."""
    html = re.sub(r"<title>[^<]*</title>", f"<title>{page.title}{suffix}</title>", page.html)
    html = re.sub(r"""(property=["']og:title["'] content=["'])([^"']*)""",
                  lambda m: m[1] + m[2] + suffix, html)  # fmt: skip
    html = re.sub(r'("headline":\s*")([^"]*)', lambda m: m[1] + m[2] + suffix, html)
    assert html.count(suffix) >= 2
    return html


@pytest.mark.parametrize("markup", ["semantic", "hashed"])
def test_seed_pages_with_the_site_in_their_title(markup: str) -> None:
    url = "https://theweek.test/politics/trump-kim"
    page = seed_page(0, url=url, markup=markup)  # type: ignore[arg-type]
    html = _with_suffix(page, " | The Week")
    assert trafilatura.bare_extraction(html, url=url, with_metadata=True).title.endswith("Week")
    assert extract_page(html.encode(), url).title == page.title
    url = "https://www.onthisday.test/event/trump-kim"
    page = seed_page(2, url=url, markup=markup)  # type: ignore[arg-type]
    html = _with_suffix(page, " - On This Day")
    assert extract_page(html.encode(), url).title == page.title
