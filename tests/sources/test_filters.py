"""Shared rules: normalization, the non-article heuristic and regex validation."""

from __future__ import annotations

import re

import pytest

from archiver.cli.app import exit_code
from archiver.errors import InputError
from archiver.sources import compile_filter, is_non_article
from archiver.sources.filters import normalized


def test_compile_filter_rejects_bad_regex_naming_the_option() -> None:
    with pytest.raises(InputError) as caught:
        compile_filter("(", option="--include")
    message = str(caught.value)
    assert message.startswith("--include: invalid regular expression '(': ")
    assert "missing )" in message
    assert exit_code(caught.value) == 2


def test_compile_filter_none_and_valid() -> None:
    assert compile_filter(None, option="--exclude") is None
    pattern = compile_filter(r"/news/\d{4}/", option="--include")
    assert isinstance(pattern, re.Pattern)
    assert pattern.search("https://ex.com/news/2026/x")


@pytest.mark.parametrize(
    "url",
    [
        "https://ex.com/news/2026/11/kim-meets-trump",
        "https://ex.com/?p=123",  # WordPress "ugly" permalink: not the root
        "https://ex.com/2026/11/tagged-and-categorized.html",
        "https://ex.com/news/tagline",
    ],
)
def test_articles_pass(url: str) -> None:
    assert not is_non_article(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://ex.com/",
        "https://ex.com/Tag/Politics",
        "https://ex.com/news/authors/jane-doe/",
        "https://ex.com/img/photo.WebP",
        "https://ex.com/wp-login.php",
        "https://ex.com/sign-up",
        "https://ex.com/world/feed/",
        "https://ex.com/sitemap.xml",
    ],
)
def test_non_articles_are_flagged(url: str) -> None:
    assert is_non_article(url)


def test_normalized_skips_unsupported_and_collapses_duplicates() -> None:
    urls = [
        "HTTPS://Ex.com:443/a?utm_source=x&b=1",
        "mailto:x@ex.com",
        "javascript:alert(1)",
        "ftp://ex.com/f",
        "not a url",
        "https://ex.com/a?b=1#frag",
        "http://ex.com/a?b=1",
    ]
    assert normalized(urls) == ["https://ex.com/a?b=1", "http://ex.com/a?b=1"]
