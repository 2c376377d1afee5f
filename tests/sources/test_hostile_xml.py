"""Hostile feeds and sitemaps: entity bombs in any encoding, parser crashes, slow paths.

Each input here once got past the discover stage (a bomb in UTF-16 or behind a
``<a`` in the prolog), crashed it with an exception outside ``ArchiverError``,
cost seconds to minutes of CPU, or was a valid document that was rejected.
"""

from __future__ import annotations

import time

import pytest

from archiver.errors import DiscoverError
from archiver.sources import parse_feed, parse_sitemap
from tests.sources.test_feeds import FEED_URL, billion_laughs
from tests.sources.test_sitemaps import SITEMAP_URL

QUICK = 1.0  # seconds; every input below took far longer, or was not refused at all

FEED_BOMB = billion_laughs(
    "rss",
    '<rss version="2.0"><channel><item><link>https://ex.com/&lol9;</link></item></channel></rss>',
).decode()
SITEMAP_BOMB = billion_laughs(
    "urlset", "<urlset><url><loc>https://ex.com/&lol9;</loc></url></urlset>"
).decode()
SMALL_FEED = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<rss version="2.0"><channel><title>t</title>'
    "<item><link>https://ex.com/caf\u00e9</link></item></channel></rss>\n"
)
SMALL_SITEMAP = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://ex.com/caf\u00e9</loc></url></urlset>\n"
)
CAFE = "https://ex.com/caf%C3%A9"

# Python codec, label in the XML declaration, whether to write a byte order mark.
WIDE = [
    ("utf-16", "UTF-16", True),  # native order with its BOM, as str.encode writes it
    ("utf-16-be", "UTF-16", True),
    ("utf-16-le", "UTF-16", False),  # no BOM: found from the "<\0" start
    ("utf-32", "UTF-32", True),
    ("utf-32-be", "UTF-32", True),
]
WIDE_IDS = ["utf16", "utf16be-bom", "utf16le-nobom", "utf32", "utf32be-bom"]


def encoded(text: str, codec: str, bom: bool) -> bytes:
    body = text.encode(codec)
    if bom and codec.endswith(("-be", "-le")):
        body = "\ufeff".encode(codec) + body
    return body


def utf7_escaped(text: str) -> bytes:
    """``text`` in UTF-7 with every markup character base64-escaped: no raw "<!ENTITY"."""
    escapes = {"<": "+ADw-", ">": "+AD4-", "&": "+ACY-", '"': "+ACI-", "!": "+ACE-"}
    return "".join(escapes.get(c, c) for c in text).encode("ascii")


def assert_refused_quickly(parse: object, body: bytes, url: str, match: str) -> None:
    assert callable(parse)
    start = time.perf_counter()
    with pytest.raises(DiscoverError, match=match):
        parse(body, url)
    assert time.perf_counter() - start < QUICK


# -- entity declarations, whatever the encoding -------------------------------------


@pytest.mark.parametrize(("codec", "label", "bom"), WIDE, ids=WIDE_IDS)
def test_wide_encoded_feed_bomb_is_refused(codec: str, label: str, bom: bool) -> None:
    text = FEED_BOMB.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{label}"?>')
    assert_refused_quickly(parse_feed, encoded(text, codec, bom), FEED_URL, "entities")


def test_nested_entities_in_utf16_never_reach_a_link() -> None:
    """Three levels were enough to turn one <link> into 100,000 characters."""
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 50}">' for i in range(1, 4))
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss [<!ENTITY e0 "x">{entities}]>'
        '<rss version="2.0"><channel><item><link>https://ex.com/&e3;</link></item></channel></rss>'
    )
    assert_refused_quickly(parse_feed, text.encode("utf-16"), FEED_URL, "entities")


def test_bomb_in_a_declared_utf7_feed_is_refused() -> None:
    head, _, tail = FEED_BOMB.partition("<rss")
    head = head.replace('<?xml version="1.0"?>', "")
    body = b'<?xml version="1.0" encoding="utf-7"?>' + utf7_escaped(head) + b"<rss" + tail.encode()
    assert b"<!ENTITY" not in body
    assert_refused_quickly(parse_feed, body, FEED_URL, "entities")


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?><?pi <a?>',  # a "<a" in a PI ended the prolog scan
        '<?xml version="1.0"?><!-- ok --><?pi <a?>',
    ],
    ids=["pi", "comment-then-pi"],
)
def test_bomb_behind_a_processing_instruction_is_refused(prolog: str) -> None:
    body = FEED_BOMB.replace('<?xml version="1.0"?>', prolog).encode()
    assert_refused_quickly(parse_feed, body, FEED_URL, "entities")
    sitemap = SITEMAP_BOMB.replace('<?xml version="1.0"?>', prolog).encode()
    assert_refused_quickly(parse_sitemap, sitemap, SITEMAP_URL, "entities")


def test_bomb_behind_a_system_literal_is_refused() -> None:
    """A system literal may contain "<a": the DOCTYPE's subset hid behind it."""
    body = FEED_BOMB.replace("<!DOCTYPE rss [", '<!DOCTYPE rss SYSTEM "x<a" [').encode()
    assert_refused_quickly(parse_feed, body, FEED_URL, "entities")


def test_long_literal_entity_referenced_many_times_is_refused() -> None:
    """A 60-character entity used 300,000 times made a 1 MB feed cost seconds and 100+ MB."""
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 60 + '">]>'
        '<rss version="2.0"><channel><item><title>' + "&a;" * 300_000 + "</title>"
        "<link>https://ex.com/a</link></item></channel></rss>"
    ).encode()
    assert_refused_quickly(parse_feed, body, FEED_URL, "entities")


@pytest.mark.parametrize(("codec", "label", "bom"), WIDE, ids=WIDE_IDS)
def test_wide_encoded_sitemap_bomb_is_refused(codec: str, label: str, bom: bool) -> None:
    text = SITEMAP_BOMB.replace(
        '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{label}"?>'
    )
    assert_refused_quickly(parse_sitemap, encoded(text, codec, bom), SITEMAP_URL, "entities")


# -- UTF-16/32 documents with a byte order mark are read --------------------------------


@pytest.mark.parametrize(("codec", "label", "bom"), WIDE, ids=WIDE_IDS)
def test_wide_encoded_sitemap_is_read(codec: str, label: str, bom: bool) -> None:
    body = encoded(SMALL_SITEMAP.format(encoding=label), codec, bom)
    assert parse_sitemap(body, SITEMAP_URL).articles == [CAFE]


@pytest.mark.parametrize(("codec", "label", "bom"), WIDE, ids=WIDE_IDS)
def test_wide_encoded_feed_is_read(codec: str, label: str, bom: bool) -> None:
    body = encoded(SMALL_FEED.format(encoding=label), codec, bom)
    assert parse_feed(body, FEED_URL).articles == [CAFE]


def test_utf16_feed_served_as_sitemap_and_utf16_text_sitemap() -> None:
    feed = SMALL_FEED.format(encoding="UTF-16").encode("utf-16")
    assert parse_sitemap(feed, SITEMAP_URL).articles == [CAFE]
    text = "https://ex.com/one\r\nhttps://ex.com/two\n".encode("utf-16")
    assert parse_sitemap(text, SITEMAP_URL).articles == ["https://ex.com/one", "https://ex.com/two"]


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap], ids=["feed", "sitemap"])
def test_declared_8bit_encoding_and_utf8_bom_still_read(parse: object) -> None:
    assert callable(parse)
    template = SMALL_FEED if parse is parse_feed else SMALL_SITEMAP
    latin1 = template.format(encoding="ISO-8859-1").encode("latin-1")
    assert parse(b"  \n" + latin1, FEED_URL).articles == [CAFE]
    utf8 = template.format(encoding="UTF-8").encode("utf-8-sig")
    assert parse(utf8, FEED_URL).articles == [CAFE]


def test_feed_mislabelled_as_utf8_falls_back_like_feedparser() -> None:
    body = SMALL_FEED.format(encoding="utf-8").encode("windows-1252")
    assert parse_feed(body, FEED_URL).articles == [CAFE]


def test_sitemap_in_an_unknown_or_invalid_encoding_is_an_error() -> None:
    for label in ("x-no-such-charset", "punycode"):
        body = SMALL_SITEMAP.format(encoding=label).encode()
        with pytest.raises(DiscoverError, match="encoding"):
            parse_sitemap(body, SITEMAP_URL)
    with pytest.raises(DiscoverError, match="undecodable"):
        parse_sitemap(SMALL_SITEMAP.format(encoding="UTF-8").encode("latin-1"), SITEMAP_URL)


# -- feedparser's own exceptions end as DiscoverError ------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<>&#xD800;",  # UnicodeEncodeError in feedparser's character-reference handling
        b"<u<&#9999999;",  # ValueError: chr() arg not in range
        b'<?encoding="\xdb"?>',  # UnicodeDecodeError in feedparser's encoding sniffing
        b"<item<link><item<title<svg</title<item//</link\x8b<",  # KeyError: 'links'
    ],
    ids=["surrogate-charref", "huge-charref", "bad-encoding-pi", "svg-in-title"],
)
def test_feedparser_crash_is_a_discover_error(body: bytes) -> None:
    with pytest.raises(DiscoverError, match="not an RSS or Atom feed"):
        parse_feed(body, FEED_URL)


@pytest.mark.parametrize(
    "body",
    [
        "<item<link><item<title<svg</title<item//</link\u2039".encode(),
        b"<item<link><item<title<svg</title<item//</link\x8b",
    ],
    ids=["utf8", "cp1252"],
)
def test_chaotic_markup_gives_a_result_or_a_discover_error(body: bytes) -> None:
    try:
        result = parse_feed(body, FEED_URL)
    except DiscoverError:
        return
    assert result.articles == []


def test_unjoinable_links_are_skipped_not_raised() -> None:
    """urljoin / urlsplit raise ValueError on "http://[x": one bad link must not lose the rest."""
    feed = (
        b'<rss version="2.0"><channel><link>http://[x/</link>'
        b"<item><link>http://[bad/a</link></item><item><guid>http://[bad/b</guid></item>"
        b"<item><link>https://ex.com/ok</link></item></channel></rss>"
    )
    assert parse_feed(feed, FEED_URL).articles == ["https://ex.com/ok"]
    sitemap = (
        b"<urlset><url><loc>http://[bad/a</loc></url>"
        b"<url><loc>https://ex.com/ok</loc></url></urlset>"
    )
    assert parse_sitemap(sitemap, SITEMAP_URL).articles == ["https://ex.com/ok"]
    index = b"<sitemapindex><sitemap><loc>http://[bad/s.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index, SITEMAP_URL).sitemaps == []


# -- inputs that used to cost seconds to minutes -----------------------------------------

RSS_TAIL = '<rss version="2.0"><channel><item><link>https://ex.com/a</link></item></channel></rss>'


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap], ids=["feed", "sitemap"])
def test_unterminated_comments_are_scanned_in_linear_time(parse: object) -> None:
    """The prolog regex rescanned to the end from each "<!--": 20 KB took 1.6 s, 200 KB minutes."""
    assert_refused_quickly(parse, b"<!--" * 50_000, FEED_URL, "well-formed|feed")


def test_blank_lines_in_the_prolog_do_not_stall_feedparser() -> None:
    """feedparser's ``^\\s*<!ENTITY`` rescans blanks from each line start: 200 KB, 6+ minutes."""
    for blank in ("\n", "\n        "):
        body = ('<?xml version="1.0"?>' + blank * 100_000 + RSS_TAIL).encode()
        start = time.perf_counter()
        assert parse_feed(body, FEED_URL).articles == ["https://ex.com/a"]
        assert time.perf_counter() - start < QUICK


def test_many_doctypes_are_refused() -> None:
    """Each line-initial "<!DOCTYPE" made feedparser rescan the prolog: 50 KB took 6 s."""
    assert_refused_quickly(parse_feed, b"\n<!DOCTYPE" * 5000 + b"<x>", FEED_URL, "DOCTYPE")


def test_punycode_is_not_a_charset() -> None:
    """Python decodes punycode in quadratic time (200 KB: 7 s); no document is written in it."""
    body = b'<?xml version="1.0" encoding="punycode"?>' + b"a" * 100_000 + b"-" + b"b" * 100_000
    assert_refused_quickly(parse_feed, body, FEED_URL, "not an RSS or Atom feed")


def test_safe_entities_still_work_in_multi_line_and_utf16_dtds() -> None:
    dtd = '<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY site "ex.com">\n]>\n'
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        + dtd
        + RSS_TAIL.replace("https://ex.com/a", "https://&site;/a")
    )
    assert parse_feed(text.encode("utf-16"), FEED_URL).articles == ["https://ex.com/a"]
    assert parse_feed(text.replace("UTF-16", "UTF-8").encode(), FEED_URL).articles == [
        "https://ex.com/a"
    ]


def test_sitemap_with_a_malformed_xml_declaration_stays_an_error() -> None:
    body = SMALL_SITEMAP.format(encoding="UTF-8").replace("version=", "versi").encode()
    with pytest.raises(DiscoverError, match="well-formed"):
        parse_sitemap(body, SITEMAP_URL)
