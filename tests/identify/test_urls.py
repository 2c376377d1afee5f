from __future__ import annotations

import pytest

from archiver.errors import UnsupportedURLError
from archiver.extract.result import PageLinks
from archiver.identify import normalize_url, resolve_identity, site_of


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
