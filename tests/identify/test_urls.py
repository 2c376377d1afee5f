from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.errors import UnsupportedURLError
from archiver.identify import normalize_url, resolve_identity, site_of
from archiver.records.extracted import PageLinks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/News/Story", "http://example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=XYZ&gclid=1&mc_cid=9",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?utm_campaign=x", "https://example.com/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/%7Euser/", "https://example.com/~user/"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://example.com/a?q=", "https://example.com/a?q="),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_normalize_is_idempotent() -> None:
    url = "https://Example.com:443/x/../y?z=1&utm_source=a&a=%41#frag"
    assert normalize_url(normalize_url(url)) == normalize_url(url)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not a url",
        "example.com/story",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.com/x",
        "data:text/html,<b>x</b>",
        "http://",
        "https://user:pw@example.com/",
        "http://example.com:99999/",
        "http://exa mple.com/",
    ],
)
def test_rejects_non_http_urls(raw: str) -> None:
    with pytest.raises(UnsupportedURLError, match="not an archivable URL"):
        normalize_url(raw)


@pytest.mark.parametrize(
    "host", ["xn--ab", "xn--", "xn--zz-", "news.xn--zz-", "XN--AB", "xn--ab.example"]
)
def test_rejects_broken_a_labels(host: str) -> None:
    # ASCII passes the idna codec untouched; httpx then fails deep inside idna.decode
    with pytest.raises(UnsupportedURLError, match="invalid host name"):
        normalize_url(f"http://{host}/x")


def test_keeps_valid_a_labels() -> None:
    assert normalize_url("http://xn--fiqs8s.icom.museum/") == "http://xn--fiqs8s.icom.museum/"
    assert normalize_url("http://中国.icom.museum/") == "http://xn--fiqs8s.icom.museum/"


def test_site_of_strips_www() -> None:
    assert site_of("https://www.Example.com/a") == "example.com"
    assert site_of("https://news.example.com/a") == "news.example.com"


def test_identity_prefers_canonical_and_collects_aliases() -> None:
    ident = resolve_identity(
        "https://example.com/s?id=1&utm_source=x",
        "https://example.com/story-1",
        ["https://example.com/s?id=1"],
        PageLinks(canonical="https://www.example.com/story-1/"),
    )
    assert ident.canonical_url == "https://www.example.com/story-1/"
    assert ident.urls == (
        "https://example.com/s?id=1",
        "https://example.com/story-1",
        "https://www.example.com/story-1/",
    )
    assert ident.site == "example.com"


def test_identity_of_amp_page_is_its_canonical() -> None:
    ident = resolve_identity(
        "https://example.com/amp/story",
        "https://example.com/amp/story",
        [],
        PageLinks(canonical="https://example.com/story", amp_canonical="https://example.com/story"),
    )
    assert ident.canonical_url == "https://example.com/story"
    assert "https://example.com/amp/story" in ident.urls


def test_identity_ignores_home_page_canonical_and_bad_schemes() -> None:
    ident = resolve_identity(
        "https://example.com/story",
        "https://example.com/story",
        [],
        PageLinks(canonical="https://example.com/", og_url="javascript:void(0)"),
    )
    assert ident.canonical_url == "https://example.com/story"
    assert ident.urls == ("https://example.com/story",)


def test_identity_falls_back_to_og_url() -> None:
    ident = resolve_identity(
        "https://example.com/p/1", "https://example.com/p/1", [],
        PageLinks(og_url="https://example.com/story-one"),
    )  # fmt: skip
    assert ident.canonical_url == "https://example.com/story-one"


# -- identity to the standard of w3lib's and url-normalize's cases ------------------------

SAME_PAGE = [
    ("http://ex.com/%7Euser/", "http://ex.com/~user/"),
    ("http://ex.com/caf%e9-con-leche.htm", "http://ex.com/caf%E9-con-leche.htm"),
    ("http://ex.com/a b", "http://ex.com/a%20b"),
    ("http://ex.com/über", "http://ex.com/%C3%BCber"),
    ("http://ex.com/p|q", "http://ex.com/p%7Cq"),
    ("http://ex.com/a/./b/../c", "http://ex.com/a/c"),
    ("http://ex.com/a/b/..", "http://ex.com/a/"),
    ("http://ex.com/a?b=2&a=1", "http://ex.com/a?a=1&b=2"),
    ("http://ex.com/a\tb\n", "http://ex.com/ab"),
    ("http://ex.com/x#section", "http://ex.com/x"),
    ("http://ex.com/up-5%-today", "http://ex.com/up-5%25-today"),  # a stray % is a literal %
    ("http://bücher.example/", "http://xn--bcher-kva.example/"),
]
DIFFERENT_PAGES = [
    ("http://ex.com/caf%E9-con-leche.htm", "http://ex.com/caf%EF%BF%BD-con-leche.htm"),
    ("http://ex.com/AC%2FDC", "http://ex.com/AC/DC"),
    ("http://ex.com/up-5%25-today", "http://ex.com/up-5-today"),
    ("http://ex.com/s?q=c%2B%2B", "http://ex.com/s?q=c++"),
    ("http://ex.com/s?q=a%26b", "http://ex.com/s?q=a&b"),
    ("http://ex.com/s?a=1%3D2", "http://ex.com/s?a=1=2"),
    ("http://ex.com/a/b/..", "http://ex.com/a"),
    ("http://faß.de/", "http://fass.de/"),
    ("http://ex.com/#!/story/1", "http://ex.com/#!/story/2"),
    ("http://ex.com/#!/story/1", "http://ex.com/"),
    ("http://ex.com/a//b", "http://ex.com/a/b"),
]


@pytest.mark.parametrize(("a", "b"), SAME_PAGE)
def test_spellings_of_one_page_are_one_url(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PAGES)
def test_different_pages_stay_apart(a: str, b: str) -> None:
    assert normalize_url(a) != normalize_url(b)


@pytest.mark.parametrize("url", [u for pair in SAME_PAGE + DIFFERENT_PAGES for u in pair])
def test_every_result_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once


def test_escapes_that_are_no_utf8_are_kept_byte_for_byte() -> None:
    assert normalize_url("http://ex.com/caf%e9") == "http://ex.com/caf%E9"
    assert normalize_url("http://ex.com/s?q=%E9t%E9") == "http://ex.com/s?q=%E9t%E9"
    assert normalize_url("http://faß.de/") == "http://xn--fa-hia.de/"  # IDNA 2008, UTS 46


_PATH_CHARS = st.sampled_from(list("abcXYZ019-._~!$&'()*+,;=:@/% ?#éü|\"<>^`{}[]\\"))
_ESCAPES = st.sampled_from(["%2F", "%25", "%2b", "%7e", "%E9", "%C3%BC", "%zz", "%", "/..", "/."])


@given(
    host=st.sampled_from(["ex.com", "EX.com", "bücher.example", "faß.de", "127.0.0.1:8080"]),
    path=st.lists(st.one_of(_PATH_CHARS, _ESCAPES), max_size=25).map("".join),
    query=st.lists(st.one_of(_PATH_CHARS, _ESCAPES), max_size=15).map("".join),
    fragment=st.sampled_from(["", "#top", "#!/story/1", "#!a b"]),
)
@settings(max_examples=300, deadline=None)
def test_normalizing_twice_changes_nothing(host: str, path: str, query: str, fragment: str) -> None:
    url = f"http://{host}/{path.replace('?', '').replace('#', '')}?{query.replace('#', '')}"
    try:
        once = normalize_url(url + fragment)
    except UnsupportedURLError:
        return
    assert normalize_url(once) == once


def test_hashbang_pages_keep_their_identity_through_the_fetch() -> None:
    """The fragment is never sent: the server answers for / and the shell's canonical is
    the home page; the two stories stay two articles."""
    shell = PageLinks(canonical="http://ex.com/")
    one = resolve_identity("http://ex.com/#!/story/1", "http://ex.com/", [], shell)
    two = resolve_identity("http://ex.com/#!/story/2", "http://ex.com/", [], shell)
    assert one.canonical_url == "http://ex.com/#!/story/1"
    assert two.canonical_url == "http://ex.com/#!/story/2"
    plain = resolve_identity("http://ex.com/#top", "http://ex.com/", [], shell)
    assert plain.canonical_url == "http://ex.com/"
