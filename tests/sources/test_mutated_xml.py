"""Property: a mutated feed or sitemap gives a result or a DiscoverError, and quickly.

Valid documents (UTF-8, UTF-16, with and without DTDs) are damaged by random
byte insertions, deletions and replacements, favouring bytes and fragments that
matter to XML parsers (markup, character references, entity declarations,
encoding labels). Whatever comes out, the discover stage must not raise
anything but ``DiscoverError`` nor take long. Examples are bounded (a few
seconds in all) and derandomized under CI, so a run there is reproducible;
locally each run explores new inputs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archiver.errors import DiscoverError
from archiver.sources import Discovered, parse_feed, parse_sitemap
from tests.sources.test_feeds import ATOM, FEED_URL, RSS091, RSS1, RSS2, billion_laughs
from tests.sources.test_sitemaps import INDEX, NEWS, SITEMAP_URL, URLSET

Test = TypeVar("Test", bound=Callable[..., Any])

SLOW = 2.0  # seconds for one document of at most a few KB: generous, for a loaded CI machine

SAFE_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY site "ex.com">]>\n'
    b'<rss version="2.0"><channel><title>a&nbsp;b</title>'
    b"<item><link>https://&site;/story</link></item></channel></rss>"
)
FEEDS = [
    RSS2,
    ATOM,
    RSS1,
    RSS091,
    SAFE_DTD,
    RSS2.decode().replace("utf-8", "utf-16").encode("utf-16"),
    ATOM.decode().replace("utf-8", "utf-32").encode("utf-32"),
]
SITEMAPS = [
    URLSET,
    NEWS,
    INDEX,
    URLSET.decode().replace("UTF-8", "UTF-16").encode("utf-16"),
    NEWS.decode().replace("UTF-8", "UTF-16").encode("utf-16-be"),
    RSS2,
]

# Inputs that once escaped as other exceptions or took seconds: always run first.
FEED_CRASHERS = [
    b"<>&#xD800;",
    b"<u<&#9999999;",
    b'<?encoding="\xdb"?>',
    b"<item<link><item<title<svg</title<item//</link\x8b<",
    b'<rss version="2.0"><channel><item><link>http://[x/</link></item></channel></rss>',
    billion_laughs(
        "rss",
        '<rss version="2.0"><channel><item><link>https://ex.com/&lol9;</link>'
        "</item></channel></rss>",
    )
    .decode()
    .replace("?>", ' encoding="UTF-16"?>', 1)
    .encode("utf-16"),
    b"<!--" * 10_000,
]
SITEMAP_CRASHERS = [
    b"<urlset><url><loc>http://[x/</loc></url></urlset>",
    b"<!--" * 10_000,
]

FRAGMENTS = [
    *(bytes([b]) for b in b"<>/&;#%\"'=?![]- \n\x00\x8b\xdb\xff"),
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xb9",
    b"<!--",
    b"-->",
    b"<?",
    b"?>",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE rss [",
    b"]>",
    b'<!ENTITY a "b">',
    b'<!ENTITY b "&a;&a;">',
    b'<!ENTITY % p "x">',
    b'<!ENTITY c SYSTEM "file:///etc/hostname">',
    b"&a;",
    b"&b;",
    b"&#xD800;",
    b"&#9999999;",
    b"&#0;",
    b'encoding="utf-16"',
    b'encoding="utf-7"',
    b'encoding="punycode"',
    b'encoding="\xdb"',
    b"<svg>",
    b"<math>",
    b"<item>",
    b"<entry>",
    b"<link>",
    b"</link>",
    b"<title>",
    b"<guid>",
    b"<loc>",
    b'<link href="http://[x/"/>',
    b"http://[",
    b'xml:base="http://[x"',
]

insertion = st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(FRAGMENTS))
deletion = st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40))
replacement = st.tuples(st.just("replace"), st.floats(0, 1), st.binary(min_size=1, max_size=4))
mutations = st.lists(st.one_of(insertion, deletion, replacement), min_size=1, max_size=8)

FUZZ = settings(
    max_examples=200,
    deadline=None,  # timed in the test itself, with a margin for a loaded machine
    database=None,  # no .hypothesis/ directory in the work tree
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)


def mutate(body: bytes, steps: list[tuple[str, float, object]]) -> bytes:
    data = bytearray(body)
    for op, where, arg in steps:
        at = int(where * len(data))
        if op == "insert":
            assert isinstance(arg, bytes)
            data[at:at] = arg
        elif op == "delete":
            assert isinstance(arg, int)
            del data[at : at + arg]
        else:
            assert isinstance(arg, bytes)
            data[at : at + len(arg)] = arg
    return bytes(data)


def check(parse: object, body: bytes, url: str) -> None:
    assert callable(parse)
    start = time.perf_counter()
    try:
        result = parse(body, url)
    except DiscoverError:
        result = None
    elapsed = time.perf_counter() - start
    assert result is None or isinstance(result, Discovered)
    assert elapsed < SLOW, f"{elapsed:.2f}s for {body[:200]!r}"


def crashers(bodies: list[bytes]) -> Callable[[Test], Test]:
    def decorate(test: Test) -> Test:
        for body in reversed(bodies):
            test = example(body, [])(test)
        return test

    return decorate


@FUZZ
@crashers(FEED_CRASHERS)
@given(st.sampled_from(FEEDS), mutations)
def test_mutated_feed(body: bytes, steps: list[tuple[str, float, object]]) -> None:
    check(parse_feed, mutate(body, steps), FEED_URL)


@FUZZ
@crashers(SITEMAP_CRASHERS)
@given(st.sampled_from(SITEMAPS), mutations)
def test_mutated_sitemap(body: bytes, steps: list[tuple[str, float, object]]) -> None:
    check(parse_sitemap, mutate(body, steps), SITEMAP_URL)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(body: bytes) -> None:
    check(parse_feed, body, FEED_URL)
    check(parse_sitemap, body, SITEMAP_URL)
