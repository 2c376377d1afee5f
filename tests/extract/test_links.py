"""Head links, dates and <a> links read with selectolax."""

from __future__ import annotations

import pytest

from archiver.extract import PageLinks, find_links, read_links
from archiver.extract.links import read_head_meta

BASE = "https://news.example.com/world/story.html"


def head(inner: str, html_attrs: str = "") -> str:
    return f"<!DOCTYPE html><html{html_attrs}><head>{inner}</head><body><p>x</p></body></html>"


def test_canonical_and_og_url_are_made_absolute() -> None:
    html = head(
        '<link rel="canonical" href="/world/story">'
        '<meta property="og:url" content="//news.example.com/world/story?ref=og">'
    )
    assert read_links(html, BASE) == PageLinks(
        canonical="https://news.example.com/world/story",
        og_url="https://news.example.com/world/story?ref=og",
    )


def test_amphtml_of_a_regular_page() -> None:
    html = head('<link rel="canonical" href="/s"><link rel="amphtml" href="amp/story.html">')
    links = read_links(html, BASE)
    assert links.amphtml == "https://news.example.com/world/amp/story.html"
    assert links.amp_canonical is None


@pytest.mark.parametrize("attr", [" amp", " ⚡", " AMP lang=en"])
def test_amp_page_reports_its_canonical(attr: str) -> None:
    html = head(
        '<link rel="canonical" href="https://news.example.com/s"><link rel="amphtml" href="/x">',
        attr,
    )
    links = read_links(html, BASE)
    assert links.amp_canonical == links.canonical == "https://news.example.com/s"
    assert links.amphtml is None  # an AMP page's own amphtml link means nothing


def test_rel_tokens_and_case_are_honoured() -> None:
    html = head('<link rel="alternate" href="/alt"><link rel="Canonical noopener" href="/c">')
    assert read_links(html, BASE).canonical == "https://news.example.com/c"


def test_base_href_wins_over_the_page_url() -> None:
    html = head('<base href="https://cdn.example.org/root/"><link rel="canonical" href="page">')
    assert read_links(html, BASE).canonical == "https://cdn.example.org/root/page"


@pytest.mark.parametrize(
    "href", ["javascript:void(0)", "mailto:desk@example.com", "ftp://x/y", "", "   ", "http://[::1"]
)
def test_non_http_or_broken_links_are_ignored(href: str) -> None:
    html = head(f'<link rel="canonical" href="{href}"><meta property="og:url" content="{href}">')
    assert read_links(html, BASE) == PageLinks()


def test_no_head_links_at_all() -> None:
    assert read_links("<p>just text</p>", BASE) == PageLinks()


def test_find_links_absolute_deduplicated_in_order() -> None:
    html = """<body>
      <a href="/b">B</a> <a href="https://other.example.org/a#top">A</a>
      <a href="c.html">C</a> <a href="/b#comments">B again</a> <a href="#top">top</a>
      <a href="mailto:x@example.com">mail</a> <a href="javascript:go()">js</a> <a>no href</a>
      <a href=" /d\n ">D</a>
    </body>"""
    assert find_links(html, BASE) == [
        "https://news.example.com/b",
        "https://other.example.org/a",
        "https://news.example.com/world/c.html",
        "https://news.example.com/world/story.html",
        "https://news.example.com/d",
    ]


def test_head_meta_dates_and_language() -> None:
    html = head(
        '<meta property="article:published_time" content="2024-05-01T08:00:00+02:00">'
        '<meta property="article:modified_time" content="2024-05-02">',
        ' lang="en_us"',
    )
    meta = read_head_meta(html)
    assert (meta.published, meta.modified, meta.language) == (
        "2024-05-01T08:00:00+02:00",
        "2024-05-02",
        "en-US",
    )


def test_head_meta_from_json_ld_graph_and_og_locale() -> None:
    html = head(
        '<meta property="og:locale" content="de_DE">'
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
        '{"@type": "NewsArticle", "datePublished": "2024-01-05T10:00:00Z",'
        ' "dateModified": "2024-01-06T11:00:00Z"}]}</script>'
    )
    meta = read_head_meta(html)
    assert (meta.published, meta.modified, meta.language) == (
        "2024-01-05T10:00:00Z",
        "2024-01-06T11:00:00Z",
        "de-DE",
    )


def test_head_meta_ignores_garbage() -> None:
    html = head(
        '<meta property="article:published_time" content="yesterday">'
        '<script type="application/ld+json">{not json</script>',
        ' lang="{{ lang }}"',
    )
    assert read_head_meta(html) == type(read_head_meta(html))()
