"""meta.page_metadata reads what trafilatura's extract_metadata reads, field by field."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from archiver.extract.meta import page_metadata
from archiver.extract.options import CHROME_TAGS, CHROME_TOKENS, chrome_elements, prune_chrome
from tests.fixtures.seedpages import seed_page
from tests.fixtures.sites import WEEKLY, seed_articles, site_page

URL = "https://news.example.com/2026/11/story"
FIELDS = ("title", "author", "sitename", "description", "url")  # all that archiver reads

DATED = """<html><head><title>Talks resume | Example News</title>
<meta property="og:site_name" content="example news">
<meta name="description" content="Negotiators met again on Tuesday.">
</head><body><article><h1>Talks resume</h1><p class="byline">By Ana Ruiz and Li Wei</p>
<p>Published 3 March 2024.</p><p>Negotiators met again on Tuesday after a month of silence,
both delegations said in statements issued after the meeting.</p></article></body></html>"""

JSON_LD = """<html><head><script type="application/ld+json">{"@type": "NewsArticle",
"headline": "Summit ends", "author": {"@type": "Person", "name": "Kim Lee"},
"datePublished": "2019-06-30T10:00:00Z", "publisher": {"name": "Wire Service"}}</script>
</head><body><p>The summit ended with a handshake at the border, officials said.</p>
</body></html>"""


def pages() -> list[tuple[str, str]]:
    seeds = [(f"seed-{i}", seed_page(i, url=URL).html) for i in range(4)]
    sites = [
        (f"site-{markup}-{k}", site_page(WEEKLY, article, k, url=URL, markup=markup).html)
        for k, article in enumerate(seed_articles()[:3])
        for markup in ("hashed", "semantic")
    ]
    return [
        *seeds,
        *sites,
        ("dated", DATED),
        ("json-ld", JSON_LD),
        ("bare", "<html><body><p>x y z</p></body></html>"),
    ]


@pytest.mark.parametrize(("name", "html"), pages(), ids=[name for name, _ in pages()])
def test_page_metadata_equals_trafilaturas(name: str, html: str) -> None:
    expected = extract_metadata(load_html(html), URL, None, True)
    tree = load_html(html)
    before = etree.tostring(tree)
    got = page_metadata(tree, URL, want_date=True)
    assert {f: getattr(got, f) for f in (*FIELDS, "date")} == {
        f: getattr(expected, f) for f in (*FIELDS, "date")
    }
    assert etree.tostring(tree) == before  # the extraction that follows sees the page as parsed
    undated = page_metadata(load_html(html), URL, want_date=False)
    assert undated.date is None
    assert {f: getattr(undated, f) for f in FIELDS} == {f: getattr(expected, f) for f in FIELDS}


def _xpath(tokens: tuple[str, ...]) -> str:
    """The prune_xpath archiver once gave trafilatura for CHROME_TOKENS."""
    tests = []
    for attr in ("@class", "@id"):
        padded = f"concat(' ', translate({attr}, '-_', '  '), ' ')"
        tests += [f"contains({padded}, ' {token} ')" for token in tokens]
    elements = " or ".join(f"self::{tag}" for tag in CHROME_TAGS)
    return f".//*[({elements}) and ({' or '.join(tests)})]"


CHROME = """<html><body><div class="story"><p>Text one.</p>
<div class="inline-promo">Sign up now</div><section id="promo__box">Deal</section>
<span class="promo">a span stays</span><div class="promotion">a word, not a token</div>
<ul class="recirc-list"><li>Other story</li></ul><aside class="x  trending">Hot</aside>
<form class="sign-up">Email</form><div class="subscriber-content">Paid text</div>
<p id="cta">Buy</p><div class="recommended"><div class="promo">nested</div></div>
<div class="DISCLAIMER">case matters, as in XPath</div>tail text</div></body></html>"""


@pytest.mark.parametrize("html", [CHROME, *(html for _, html in pages())])
def test_chrome_elements_are_the_old_xpaths(html: str) -> None:
    tree = load_html(html)
    assert chrome_elements(tree) == tree.xpath(_xpath(CHROME_TOKENS))


def test_pruning_keeps_tails_and_unmatched_elements() -> None:
    tree = prune_chrome(load_html(CHROME))
    text = " ".join(tree.text_content().split())
    assert text == (
        "Text one. a span staysa word, not a token Paid text case matters, as in XPathtail text"
    )
