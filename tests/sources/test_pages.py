"""Section pages → candidate article links: same-site, include/exclude, non-article filter."""

from __future__ import annotations

import pytest

from archiver.errors import InputError
from archiver.sources import Discovered, parse_page

PAGE_URL = "https://www.news.example.com/world/"

LINKS = [
    "/news/2026/11/kim-meets-trump",  # kept: the article
    "https://news.example.com/news/2026/11/bare-host",  # kept: www. and bare are one site
    "//www.news.example.com/news/2026/11/scheme-relative?utm_source=home&id=7",  # kept
    "/news/2026/11/kim-meets-trump?utm_campaign=x#comments",  # duplicate after normalizing
    "https://other.example.org/news/2026/11/elsewhere",  # other site
    "https://sub.news.example.com/news/2026/11/subdomain",  # other site (host differs)
    "/",  # site root
    "https://news.example.com",  # site root
    "#top",  # fragment only: the page itself
    "/world/",  # the page itself
    "/world/?utm_source=nav",  # the page itself, once normalized
    "/tag/x",
    "/author/y",
    "/category/politics/",
    "/search?q=kim",
    "/images/kim.JPG",
    "/static/site.css",
    "/login",
    "/account/settings",
    "/subscribe",
    "/feed",
    "/world/rss.xml",
    "/reports/annual.pdf",
    "mailto:desk@news.example.com",
    "javascript:void(0)",
    "ftp://news.example.com/pub/file",
]

KEPT = [
    "https://www.news.example.com/news/2026/11/kim-meets-trump",
    "https://news.example.com/news/2026/11/bare-host",
    "https://www.news.example.com/news/2026/11/scheme-relative?id=7",
]


def page(hrefs: list[str], head: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{href}">link</a></li>' for href in hrefs)
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body><ul>{anchors}</ul></body></html>".encode()
    )


def test_default_filters() -> None:
    found = parse_page(page(LINKS), PAGE_URL)
    assert (found.articles, found.sitemaps, found.damage) == (KEPT, [], [])


def test_every_link_that_is_no_candidate_is_named_with_why() -> None:
    """Each distinct link but the kept ones, the page itself and in-page anchors."""
    reasons = {k.url: k.reason for k in parse_page(page(LINKS), PAGE_URL).skipped}
    assert reasons["https://other.example.org/news/2026/11/elsewhere"] == "another site"
    assert reasons["https://www.news.example.com/tag/x"].startswith("not an article")
    assert reasons["https://news.example.com/"].startswith("not an article")
    assert reasons["mailto:desk@news.example.com"].startswith("not archivable")
    assert reasons["ftp://news.example.com/pub/file"].startswith("not archivable")
    assert len(reasons) == 19  # 26 links: 3 kept, 1 duplicate, 2 the page itself, 1 anchor


def test_other_sites_kept_when_same_site_is_off() -> None:
    assert parse_page(page(LINKS), PAGE_URL, same_site=False).articles == [
        *KEPT,
        "https://other.example.org/news/2026/11/elsewhere",
        "https://sub.news.example.com/news/2026/11/subdomain",
    ]


def test_include_decides_alone() -> None:
    """With include, the default filter is off: /tag/x is kept if it matches."""
    articles = parse_page(page(LINKS), PAGE_URL, include=r"/(news|tag)/").articles
    assert articles == [*KEPT, "https://www.news.example.com/tag/x"]


def test_include_never_returns_the_page_itself() -> None:
    assert parse_page(page(LINKS), PAGE_URL, include=r"/world/").articles == [
        "https://www.news.example.com/world/rss.xml"
    ]


def test_exclude_applies_with_and_without_include() -> None:
    assert parse_page(page(LINKS), PAGE_URL, exclude=r"kim|bare").articles == [KEPT[2]]
    only = parse_page(page(LINKS), PAGE_URL, include=r"/news/", exclude=r"\?id=")
    assert only.articles == KEPT[:2]


def test_regexes_see_the_normalized_url() -> None:
    """Tracking parameters are gone before include/exclude run."""
    assert parse_page(page(LINKS), PAGE_URL, exclude=r"utm_").articles == KEPT


def test_base_href_is_honoured() -> None:
    body = page(["2026/11/story"], head='<base href="https://news.example.com/news/">')
    assert parse_page(body, PAGE_URL).articles == ["https://news.example.com/news/2026/11/story"]


def test_legacy_encoding_is_decoded() -> None:
    body = (
        b'<html><head><meta charset="windows-1252"></head>'
        b'<body><a href="/news/caf\xe9">caf\xe9</a></body></html>'
    )
    assert parse_page(body, PAGE_URL).articles == ["https://www.news.example.com/news/caf%C3%A9"]


def test_empty_page() -> None:
    assert parse_page(b"", PAGE_URL) == Discovered(articles=[])


def test_invalid_regex_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^include: invalid regular expression '\(': "):
        parse_page(page(LINKS), PAGE_URL, include="(")
    with pytest.raises(InputError, match=r"^exclude: invalid regular expression '\[': "):
        parse_page(page(LINKS), PAGE_URL, exclude="[")


CHROME_PAGE = """<!DOCTYPE html><html><body>
<header class="site"><a href="/news/2026/11/header-pick">Breaking</a>
  <nav><a href="/world/europe">Europe</a><a href="/news/2026/11/nav-pick">Top story</a></nav>
</header>
<div role="navigation"><a href="/news/2026/11/role-nav">Menu pick</a></div>
<main>
  <article><header><h2><a href="/news/2026/11/lead">Lead</a></h2></header>
    <p>Teaser.</p><footer><a href="/news/2026/11/lead-more">More</a></footer></article>
  <ul><li><a href="/news/2026/11/second">Second</a></li>
      <li><a href="/news/2026/11/also-in-nav">Also in the menu</a></li></ul>
  <aside><a href="/news/2026/11/most-read">Most read</a>
    <a href="/news/2026/11/also-in-nav">Again</a></aside>
</main>
<section role="complementary"><a href="/news/2026/11/related">Related</a></section>
<footer><a href="/news/2026/11/footer-pick">Footer pick</a><a href="/about">About</a></footer>
<div role="contentinfo"><a href="/news/2026/11/contentinfo">Fine print</a></div>
</body></html>"""


def test_links_in_the_pages_chrome_are_left_out() -> None:
    """Navigation, asides, the site header and footer; an article's own header is content."""
    base = "https://www.news.example.com/news/2026/11/"
    assert parse_page(CHROME_PAGE.encode(), PAGE_URL).articles == [
        base + "lead", base + "lead-more", base + "second", base + "also-in-nav",
    ]  # fmt: skip


def test_chrome_links_are_used_when_the_page_has_no_others() -> None:
    body = b"<html><body><nav><a href='/news/2026/11/a'>a</a><a href='/tag/x'>x</a></nav></body>"
    assert parse_page(body, PAGE_URL).articles == ["https://www.news.example.com/news/2026/11/a"]


SITE_PAGES = [
    "/about", "/about-us/", "/about/team", "/contact", "/contact-us.html", "/privacy",
    "/privacy-policy/", "/legal/cookies", "/terms-of-service", "/terms.html", "/impressum",
    "/help/faq", "/jobs",
]  # fmt: skip
STORIES = ["/legal/2026/11/court-ruling", "/news/2026/11/privacy-row", "/news/2026/11/about-time"]


def test_about_contact_and_legal_pages_are_left_out() -> None:
    found = parse_page(page(SITE_PAGES + STORIES), PAGE_URL).articles
    assert found == [f"https://www.news.example.com{path}" for path in STORIES]


def test_include_decides_about_site_pages_too() -> None:
    found = parse_page(page(SITE_PAGES), PAGE_URL, include=r"/about").articles
    assert found == [
        "https://www.news.example.com/about", "https://www.news.example.com/about-us/",
        "https://www.news.example.com/about/team",
    ]  # fmt: skip
