"""extract_page on realistic publisher pages: keep every paragraph, drop the chrome."""

from __future__ import annotations

import pytest

from archiver.errors import EmptyExtractionError
from archiver.extract import Extracted, extract_page
from archiver.extract.lines import clean_paragraphs
from tests.fixtures.seedpages import SeedPage, seed_ids, seed_page

URL = "https://news.example.com/2019/06/30/story"
CANONICAL = "https://news.example.com/story"

# What each seed page declares in its head (see tests/fixtures/seedpages.py).
METADATA: dict[int, dict[str, object]] = {
    0: {"authors": ("Tim Ramsey",), "site_name": "The Week",
        "published": "2019-06-30T14:21:00+00:00", "modified": None},
    1: {"authors": ("Dana Whitfield", "Marcus Lee"), "site_name": "NBC News",
        "published": "2019-06-29T04:12:00Z", "modified": "2019-06-29T09:40:00Z"},
    2: {"authors": ("Sam Kowalski",), "site_name": "On This Day",
        "published": "2018-06-12", "modified": None},
    3: {"authors": ("Riya Kapoor",), "site_name": "MEAWW",
        "published": "2025-08-25T21:05:00-04:00", "modified": "2025-08-26T08:30:00-04:00"},
}  # fmt: skip


def norm(text: str) -> str:
    return " ".join(text.split())


def extract(page: SeedPage, url: str = URL) -> Extracted:
    return extract_page(page.html.encode("utf-8"), url, "utf-8")


@pytest.mark.parametrize("n", seed_ids())
def test_seed_keeps_every_paragraph_and_drops_all_junk(n: int) -> None:
    page = seed_page(n, url=URL)
    text = norm(extract(page).text)
    assert [p for p in page.paragraphs if norm(p) not in text] == []
    assert [j for j in page.junk if norm(j) in text] == []


@pytest.mark.parametrize("n", seed_ids())
def test_seed_text_is_exactly_the_article(n: int) -> None:
    """Nothing but the body: paragraphs (and subheads) in order, "\\n\\n" apart."""
    page = seed_page(n, url=URL)
    assert extract(page).text == "\n\n".join(norm(p) for p in page.paragraphs)


@pytest.mark.parametrize("n", seed_ids())
def test_seed_metadata(n: int) -> None:
    page = seed_page(n, url=URL)
    result = extract(page)
    assert result.title == page.title
    assert result.language == "en"
    for field, expected in METADATA[n].items():
        assert getattr(result, field) == expected, field


def test_description_comes_from_the_meta_description() -> None:
    result = extract(seed_page(1, url=URL))
    assert result.description is not None
    assert result.description.startswith("If the meeting were to transpire")


@pytest.mark.parametrize("n", seed_ids())
def test_chrome_churn_does_not_change_the_text(n: int) -> None:
    texts = {extract(seed_page(n, url=URL, rail_variant=v)).text for v in range(3)}
    assert len(texts) == 1


@pytest.mark.parametrize("n", seed_ids())
def test_an_edit_changes_the_text(n: int) -> None:
    edit = "Update: officials later confirmed the meeting would go ahead as planned."
    before = extract(seed_page(n, url=URL)).text
    after = extract(seed_page(n, url=URL, edit=edit)).text
    assert after != before
    assert after.endswith(edit)


@pytest.mark.parametrize("n", seed_ids())
def test_amp_version_has_the_same_text_and_points_to_canonical(n: int) -> None:
    regular = extract(seed_page(n, url=URL, canonical=CANONICAL, amphtml=URL + "/amp"))
    amp = extract(seed_page(n, url=URL + "/amp", amp=True, canonical=CANONICAL), URL + "/amp")
    assert amp.text == regular.text
    assert regular.links.amphtml == URL + "/amp"
    assert regular.links.canonical == regular.links.og_url == CANONICAL
    assert amp.links.amp_canonical == CANONICAL
    assert amp.links.amphtml is None


def test_extraction_is_deterministic() -> None:
    body = seed_page(3, url=URL).html.encode()
    assert extract_page(body, URL) == extract_page(body, URL) == extract_page(body, URL)


# -- generic chrome that sits in unlabelled markup ------------------------------

BODY = [
    "The city council voted on Tuesday to extend the downtown tram line by four kilometres.",
    "Construction is expected to begin next spring and to last roughly two years.",
    "The newsletter she founded in 2015 now reaches two million readers, she told the council.",
    "Residents along the route will be consulted in a series of public meetings this autumn.",
]


def _plain_page(*middle: str) -> bytes:
    """An article in anonymous divs, chrome lines mixed in as ordinary paragraphs."""
    paragraphs = [f"<p>{p}</p>" for p in BODY[:2]] + list(middle)
    paragraphs += [f"<p>{p}</p>" for p in BODY[2:]]
    return (
        "<html lang='en'><head><title>Tram line extended</title></head><body><div class='wrap'>"
        "<div class='c1'><p>IE 11 is not supported. For an optimal experience visit our site "
        f"on another browser.</p><h1>Tram line extended</h1>{''.join(paragraphs)}</div>"
        "</div></body></html>"
    ).encode()


def test_browser_banner_and_newsletter_calls_to_action_are_dropped() -> None:
    page = _plain_page(
        "<p><strong>Sign up for our free Morning Briefing newsletter</strong></p>",
        "<p>Get the best stories delivered straight to your inbox.</p>",
        "<p>Advertisement</p>",
    )
    text = extract_page(page, URL).text
    assert all(p in text for p in BODY)
    for junk in ("IE 11", "Sign up", "inbox", "Advertisement"):
        assert junk not in text


def test_clean_paragraphs_normalises_lines() -> None:
    raw = (
        "  First   line\u00a0here  \n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 |\n-\nSame\nSame\n"
    )
    assert clean_paragraphs(raw) == [
        "First line here",
        "| a | b |",
        "| 1 | 2 |",
        "| 1 | 2 |",
        "Same",
    ]


def test_a_long_paragraph_about_browsers_is_kept() -> None:
    line = "Your browser is not the only thing that matters: " + "the network matters too. " * 8
    assert clean_paragraphs(line) == [norm(line)]


# -- nothing to extract -----------------------------------------------------------

NAV_ONLY = b"""<!DOCTYPE html><html lang="en"><head><title>Example News</title></head><body>
<header><a href="/">Example News</a><nav><ul><li><a href="/world">World</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><ul class="menu"><li><a href="/latest">Latest headlines from around the world today</a></li>
<li><a href="/read">Most read</a></li><li><a href="/video">Video</a></li></ul></main>
<footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer></body></html>"""


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n ",
        b"<html><head><title>x</title></head><body></body></html>",
        b"<html><body><div id='app'></div><script>render()</script></body></html>",
        NAV_ONLY,
    ],
    ids=["empty", "blank", "empty-body", "script-shell", "navigation-only"],
)
def test_pages_without_article_text_raise(body: bytes) -> None:
    with pytest.raises(EmptyExtractionError, match="no article text found"):
        extract_page(body, URL)


def test_a_pass_that_would_lose_a_paragraph_is_never_taken() -> None:
    """Seed articles on hashed-class markup: trafilatura's full cascade (the
    readability/jusText comparison) trades the whole extraction for a reading that
    misses a paragraph of the article on two of ten pages. archiver takes that pass
    only where it adds text, so nothing of the article is lost."""
    import trafilatura
    from trafilatura.utils import load_html

    from archiver.extract.options import COMPARE_OPTIONS, prune_chrome
    from tests.fixtures.sites import WEEKLY, seed_articles, site_page

    for k in (1, 2):
        page = site_page(WEEKLY, seed_articles()[k], k, url=URL, variant=k)
        tree = prune_chrome(load_html(page.html))  # the tree archiver's passes start from
        stricter = trafilatura.bare_extraction(tree, url=URL, **COMPARE_OPTIONS)
        assert stricter is not None
        missed = [p for p in page.paragraphs if norm(p) not in norm(stricter.text or "")]
        assert len(missed) == 1
        text = norm(extract(page).text)
        assert [p for p in page.paragraphs if norm(p) not in text] == []
