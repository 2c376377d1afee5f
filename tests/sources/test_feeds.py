"""Feeds → entry article URLs (RSS 0.9x/2.0, RSS 1.0, Atom) via feedparser."""

from __future__ import annotations

import time

import pytest

from archiver.errors import DiscoverError
from archiver.sources import Discovered, parse_feed

FEED_URL = "https://news.example.com/feeds/world.xml"

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>World</title><link>https://news.example.com/world/</link>
  <item><title>Relative</title><link>/world/2026/11/kim-meets-trump?utm_source=rss</link>
    <guid isPermaLink="false">story-1</guid></item>
  <item><title>Guid permalink only</title>
    <guid>https://news.example.com/world/2026/11/guid-story</guid></item>
  <item><title>Guid first, link wins</title>
    <guid>https://news.example.com/p/123</guid>
    <link>https://news.example.com/world/2026/11/link-wins</link></item>
  <item><title>Not a permalink</title>
    <guid isPermaLink="false">https://news.example.com/internal/456</guid></item>
  <item><title>Bare guid is no URL</title><guid>789</guid></item>
  <item><title>Duplicate</title><link>https://NEWS.example.com/world/2026/11/kim-meets-trump</link>
  </item>
  <item><title>Not archivable</title><link>mailto:desk@news.example.com</link></item>
</channel></rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/posts/">
  <title>Blog</title><id>urn:uuid:60a76c80-d399-11d9-b91C-0003939e0af6</id>
  <updated>2026-11-01T00:00:00Z</updated>
  <entry>
    <title>Many rels</title><id>tag:blog.example.org,2026:1</id>
    <link rel="self" href="/api/posts/1"/>
    <link rel="edit" href="/api/posts/1/edit"/>
    <link rel="enclosure" type="audio/mpeg" href="one.mp3"/>
    <link rel="alternate" type="application/pdf" href="one.pdf"/>
    <link rel="alternate" type="text/html" href="one.html"/>
    <link rel="replies" href="one/comments"/>
    <updated>2026-11-01T00:00:00Z</updated>
  </entry>
  <entry>
    <title>Plain link, rel omitted</title><id>tag:blog.example.org,2026:2</id>
    <link href="https://blog.example.org/posts/two"/>
    <updated>2026-11-01T00:00:00Z</updated>
  </entry>
  <entry>
    <title>Id is the permalink</title><id>https://blog.example.org/posts/three</id>
    <link rel="edit" href="/api/posts/3/edit"/>
    <updated>2026-11-01T00:00:00Z</updated>
  </entry>
  <entry>
    <title>Nothing usable</title><id>tag:blog.example.org,2026:4</id>
    <updated>2026-11-01T00:00:00Z</updated>
  </entry>
</feed>
"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://old.example.net/">
    <title>Old</title><link>https://old.example.net/</link><description>d</description>
    <items><rdf:Seq>
      <rdf:li resource="https://old.example.net/a"/><rdf:li resource="https://old.example.net/b"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://old.example.net/a"><title>A</title>
    <link>https://old.example.net/a</link></item>
  <item rdf:about="https://old.example.net/b"><title>B</title>
    <link>https://old.example.net/b?fbclid=xyz</link></item>
</rdf:RDF>
"""

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>t</title><link>https://ex.com/</link>
<description>d</description><language>en</language>
<item><title>x</title><link>https://ex.com/x</link></item></channel></rss>
"""


def test_rss2_links_guids_and_relative_resolution() -> None:
    found = parse_feed(RSS2, FEED_URL)
    assert found.articles == [
        "https://news.example.com/world/2026/11/kim-meets-trump",
        "https://news.example.com/world/2026/11/guid-story",
        "https://news.example.com/world/2026/11/link-wins",
    ]
    assert [(k.url, k.reason) for k in found.skipped] == [
        ("mailto:desk@news.example.com", "not archivable: unsupported scheme 'mailto:'")
    ]


def test_atom_prefers_html_alternate_and_honours_xml_base() -> None:
    assert parse_feed(ATOM, FEED_URL).articles == [
        "https://blog.example.org/posts/one.html",
        "https://blog.example.org/posts/two",
        "https://blog.example.org/posts/three",
    ]


def test_rss1() -> None:
    assert parse_feed(RSS1, FEED_URL).articles == [
        "https://old.example.net/a",
        "https://old.example.net/b",
    ]


def test_rss091_with_external_doctype_is_read_without_fetching_it() -> None:
    assert parse_feed(RSS091, FEED_URL).articles == ["https://ex.com/x"]


def test_empty_but_valid_feed_is_no_error() -> None:
    body = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(body, FEED_URL) == Discovered(articles=[])


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Home</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/feed"></head>'
        b'<body><a href="/world/story">story</a></body></html>',
        b'{"items": [{"url": "https://ex.com/a"}]}',
        b"\x00\x01\x02 binary junk",
        b"   ",
        b"",
    ],
    ids=["html", "json", "binary", "blank", "empty"],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(DiscoverError, match="feed"):
        parse_feed(body, FEED_URL)


def test_body_is_never_taken_for_a_path_or_url() -> None:
    """feedparser opens str/bytes naming a file or URL; a body must never be."""
    for body in (b"/etc/hostname", b"https://news.example.com/feed.xml"):
        with pytest.raises(DiscoverError):
            parse_feed(body, FEED_URL)


def billion_laughs(root: str, inner: str) -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY lol0 "lol">{entities}]>{inner}'
    ).encode()


@pytest.mark.parametrize(
    ("newline", "comment"),
    [("", ""), ("\n", ""), ("", "<!-- <rss> -->")],
    ids=["one-line-dtd", "multi-line-dtd", "behind-comment"],
)
def test_entity_bomb_is_refused_quickly(newline: str, comment: str) -> None:
    body = billion_laughs(
        "rss",
        '<rss version="2.0"><channel><item><link>https://ex.com/&lol9;</link></item>'
        "</channel></rss>",
    ).replace(b"><!ENTITY", f">{newline}<!ENTITY".encode())
    body = body.replace(b"?><!DOCTYPE", f"?>{comment}<!DOCTYPE".encode())
    start = time.perf_counter()
    with pytest.raises(DiscoverError, match="entities"):
        parse_feed(body, FEED_URL)
    assert time.perf_counter() - start < 0.5


def test_simple_entity_declarations_are_still_read() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY site "ex.com">]>'
        b'<rss version="2.0"><channel><title>a&nbsp;b</title>'
        b"<item><link>https://&site;/story</link></item></channel></rss>"
    )
    assert parse_feed(body, FEED_URL).articles == ["https://ex.com/story"]


def test_relative_links_resolve_against_xml_base_then_content_location() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><link>story/1</link></item></channel></rss>"
    )
    final = "https://cdn.example.com/feeds/rss.xml"
    assert parse_feed(rss, final).articles == ["https://cdn.example.com/feeds/story/1"]
    located = parse_feed(rss, final, "https://news.example.com/world/rss.xml")
    assert located.articles == ["https://news.example.com/world/story/1"]
    assert parse_feed(rss, final, "/world/rss.xml").articles == [
        "https://cdn.example.com/world/story/1"
    ]
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xml:base="https://base.example.org/news/"><title>t</title>'
        b'<entry><title>a</title><link href="2"/><id>x</id></entry></feed>'
    )
    assert parse_feed(atom, final, "https://news.example.com/x.xml").articles == [
        "https://base.example.org/news/2"
    ]
