"""Whose canonical links are believed: a page speaks for its own site only."""

from __future__ import annotations

import pytest

from archiver.identify import CanonicalPolicy, registrable_domain, resolve_identity
from archiver.records.extracted import PageLinks


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.bbc.co.uk/news/1", "bbc.co.uk"),
        ("https://amp.theguardian.com/world/1", "theguardian.com"),
        ("https://m.example.com/a", "example.com"),
        ("https://alice.github.io/post", "alice.github.io"),  # a private suffix: her own site
        ("http://127.0.0.1:8080/a", "127.0.0.1"),
        ("http://[::1]:8080/a", "::1"),
        ("http://localhost/a", "localhost"),
        ("news.example.org", "example.org"),
    ],
)
def test_registrable_domains(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


def _identity(final: str, policy: CanonicalPolicy | None = None, **links: str) -> str:
    return resolve_identity(final, final, (), PageLinks(**links), policy).canonical_url


def test_a_canonical_on_another_site_is_not_believed() -> None:
    forged = "https://evil.example.net/a/story"
    victim = "https://www.news.example.com/a/victim"
    assert _identity(forged, canonical=victim) == forged
    assert _identity(forged, og_url=victim) == forged
    assert _identity(forged, canonical=victim, amp_canonical=victim) == forged
    # the next claim that does name the page's own site still counts
    own = "https://evil.example.net/a/story-full"
    assert _identity(forged, canonical=victim, og_url=own) == own


def test_same_site_canonicals_are_believed() -> None:
    page = "https://www.example.co.uk/news/1"
    assert _identity("https://amp.example.co.uk/news/1.amp", amp_canonical=page) == page
    assert _identity("https://m.example.co.uk/news/1", canonical=page) == page
    assert _identity("https://example.co.uk/news/1?ref=rss", canonical=page) == page
    # co.uk is a public suffix: another registrable domain under it is another site
    assert _identity("https://other.co.uk/x", canonical=page) == "https://other.co.uk/x"
    # so is github.io
    assert _identity("https://bob.github.io/p", canonical="https://alice.github.io/p") == (
        "https://bob.github.io/p"
    )


def test_configured_partners_may_name_the_original() -> None:
    policy = CanonicalPolicy.from_settings({"partner.example.org": ["wire.example.com"]})
    original = "https://www.wire.example.com/story/42"
    copy = "https://news.partner.example.org/world/42"
    assert _identity(copy, policy, canonical=original) == original
    # one way only, and only for the domains listed
    assert _identity(original, policy, canonical=copy) == original
    assert _identity("https://third.example.net/42", policy, canonical=original) == (
        "https://third.example.net/42"
    )
