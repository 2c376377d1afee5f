"""Sitemaps (XML, news, image, index, gzip, text) and robots.txt Sitemap lines."""

from __future__ import annotations

import gzip
import time

import pytest

from archiver.errors import DiscoverError
from archiver.sources import Discovered, parse_sitemap, robots_sitemap_lines
from archiver.sources import sitemaps as sitemaps_module
from tests.sources.test_feeds import RSS2, billion_laughs

SITEMAP_URL = "https://news.example.com/sitemaps/news.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>
      https://news.example.com/world/2026/11/kim-meets-trump
    </loc>
    <lastmod>2026-11-02</lastmod>
    <image:image><image:loc>https://cdn.example.com/kim.jpg</image:loc></image:image>
    <xhtml:link rel="alternate" hreflang="fr" href="https://news.example.com/fr/kim"/>
  </url>
  <url><loc>https://news.example.com/a?b=2&amp;a=1&amp;utm_medium=x</loc></url>
  <url><loc>https://news.example.com/world/2026/11/kim-meets-trump</loc></url>
  <url><loc>/relative/story</loc></url>
  <url><loc>ftp://news.example.com/file</loc></url>
  <url><loc>  </loc></url>
</urlset>
"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example.com/business/article55.html</loc>
    <news:news>
      <news:publication><news:name>The Example Times</news:name>
        <news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-02T03:30:00Z</news:publication_date>
      <news:title>Companies A, B in Merger Talks</news:title>
    </news:news>
  </url>
  <url><loc>https://news.example.com/business/article56.html</loc></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemaps/2026-11.xml.gz</loc>
    <lastmod>2026-11-02</lastmod></sitemap>
  <sitemap><loc>2026-10.xml</loc></sitemap>
</sitemapindex>
"""


def test_urlset_pages_only_normalized_and_deduplicated() -> None:
    found = parse_sitemap(URLSET, SITEMAP_URL)
    assert (found.articles, found.sitemaps) == (
        [
            "https://news.example.com/world/2026/11/kim-meets-trump",
            "https://news.example.com/a?a=1&b=2",
            "https://news.example.com/relative/story",
        ],
        [],
    )
    assert all(k.reason.startswith("not archivable") for k in found.skipped)


def test_google_news_sitemap() -> None:
    assert parse_sitemap(NEWS, SITEMAP_URL).articles == [
        "https://news.example.com/business/article55.html",
        "https://news.example.com/business/article56.html",
    ]


def test_sitemap_without_namespace_and_with_old_google_namespace() -> None:
    for ns in ("", ' xmlns="http://www.google.com/schemas/sitemap/0.84"'):
        body = f"<urlset{ns}><url><loc>https://ex.com/a</loc></url></urlset>".encode()
        assert parse_sitemap(body, SITEMAP_URL).articles == ["https://ex.com/a"]


def test_sitemap_index_lists_child_sitemaps() -> None:
    assert parse_sitemap(INDEX, SITEMAP_URL) == Discovered(
        articles=[],
        sitemaps=[
            "https://news.example.com/sitemaps/2026-11.xml.gz",
            "https://news.example.com/sitemaps/2026-10.xml",
        ],
    )


def test_gzip_sitemap() -> None:
    assert parse_sitemap(gzip.compress(NEWS), SITEMAP_URL) == parse_sitemap(NEWS, SITEMAP_URL)


def test_gzip_bomb_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps_module, "MAX_SITEMAP_BYTES", 1000)
    body = gzip.compress(NEWS.replace(b"</urlset>", b" " * 5000 + b"</urlset>"))
    with pytest.raises(DiscoverError, match="larger than 1000 bytes"):
        parse_sitemap(body, SITEMAP_URL)


@pytest.mark.parametrize(
    "body", [b"\x1f\x8b\x08\x00garbage", gzip.compress(NEWS)[:-30]], ids=["corrupt", "truncated"]
)
def test_broken_gzip(body: bytes) -> None:
    with pytest.raises(DiscoverError, match="gzip"):
        parse_sitemap(body, SITEMAP_URL)


def test_plain_text_sitemap() -> None:
    body = (
        b"\xef\xbb\xbfhttps://news.example.com/one\r\n\r\n"
        b"  https://news.example.com/two?utm_source=x  \n"
        b"not a url\nhttps://news.example.com/one\n"
    )
    assert parse_sitemap(body, SITEMAP_URL).articles == [
        "https://news.example.com/one",
        "https://news.example.com/two",
    ]


def test_feed_served_as_sitemap() -> None:
    assert parse_sitemap(RSS2, SITEMAP_URL).articles[0] == (
        "https://news.example.com/world/2026/11/kim-meets-trump"
    )


def test_empty_urlset_is_no_error() -> None:
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    assert parse_sitemap(body, SITEMAP_URL) == Discovered(articles=[])


def test_entity_bomb_is_not_expanded() -> None:
    body = billion_laughs(
        "urlset",
        "<urlset><url><loc>https://ex.com/&lol9;</loc></url>"
        "<url><loc>https://ex.com/ok</loc></url></urlset>",
    )
    start = time.perf_counter()
    with pytest.raises(DiscoverError, match="entities"):
        parse_sitemap(body, SITEMAP_URL)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!-- <a> is not the root --><!DOCTYPE urlset [<!ENTITY x "y">]>',
    ],
    ids=["external", "behind-comment"],
)
def test_any_entity_declaration_is_refused(prolog: str) -> None:
    body = f'<?xml version="1.0"?>{prolog}<urlset><url><loc>https://ex.com/&x;</loc></url></urlset>'
    with pytest.raises(DiscoverError, match="entities"):
        parse_sitemap(body.encode(), SITEMAP_URL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b" \n\t", "empty"),
        (b"<!DOCTYPE html><html><body><p>Not found</p></body></html>", "not a sitemap"),
        (b"<urlset><url><loc>https://ex.com/a?x=1&y=2</loc></url></urlset>", "well-formed"),
        (b"<urlset><url><loc>https://ex.com/a", "well-formed"),
        (b'{"urls": ["https://ex.com/a"]}', "neither"),
        (b"\x00\x01\x02\xff garbage", "neither"),
    ],
    ids=["empty", "blank", "html", "bad-ampersand", "truncated", "json", "binary"],
)
def test_garbage_is_an_error(body: bytes, message: str) -> None:
    with pytest.raises(DiscoverError, match=message):
        parse_sitemap(body, SITEMAP_URL)


def test_robots_sitemap_lines() -> None:
    robots = (
        "\ufeffUser-agent: *\n"
        "Disallow: /search\n"
        "Sitemap: https://news.example.com/sitemap.xml\n"
        "\n"
        "User-agent: Googlebot\n"
        "  SITEMAP :https://news.example.com/news-sitemap.xml # news only\n"
        "sitemap: /sitemaps/relative.xml\r\n"
        "# Sitemap: https://news.example.com/commented-out.xml\n"
        "Sitemap: https://news.example.com/sitemap.xml\n"
        "Sitemap:\n"
        "Sitemap: javascript:alert(1)\n"
        "Sitemaps-are-great: https://news.example.com/not-a-directive.xml\n"
    )
    assert robots_sitemap_lines(robots, "https://news.example.com/robots.txt") == [
        "https://news.example.com/sitemap.xml",
        "https://news.example.com/news-sitemap.xml",
        "https://news.example.com/sitemaps/relative.xml",
    ]
