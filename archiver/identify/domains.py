"""Which site a URL belongs to, by registrable domain, and whose declarations count.

``www.example.co.uk``, ``amp.example.co.uk`` and ``m.example.co.uk`` are one
site (registrable domain ``example.co.uk``, from the public suffix list that
``publicsuffixlist`` ships, so nothing is downloaded); ``alice.github.io`` and
``bob.github.io`` are two. An IP address or a single-label host is its own site.

A page's ``<link rel=canonical>``, ``og:url`` or AMP canonical is a claim its
publisher makes. A claim about its own site is believed; one about another
site would let any page overwrite any other site's article, so it is believed
only for syndication partners the operator configured
(``identify.canonical_partners``). A redirect is evidence, not a claim: it is
followed and its target fetched from its own host.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList


@functools.cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # parses the bundled list once per process (~0.1 s)


def _host(url_or_host: str) -> str:
    if "//" not in url_or_host:
        url_or_host = f"//{url_or_host}"
    return (urlsplit(url_or_host).hostname or "").lower().rstrip(".")


def registrable_domain(url_or_host: str) -> str:
    """``https://www.bbc.co.uk/news`` → ``bbc.co.uk``; an IP or ``localhost`` as it is."""
    host = _host(url_or_host)
    if not host or "." not in host:
        return host
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _suffixes().privatesuffix(host) or host
    return host


@dataclass(frozen=True, slots=True)
class CanonicalPolicy:
    """Whose claims about identity are believed; ``partners``: page domain → domains."""

    partners: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, partners: Mapping[str, list[str]]) -> CanonicalPolicy:
        return cls({
            registrable_domain(page): frozenset(registrable_domain(t) for t in targets)
            for page, targets in partners.items()
        })  # fmt: skip

    def trusts(self, page_url: str, target: str) -> bool:
        """May a page at ``page_url`` speak for ``target`` (a URL or a site's host)?"""
        page, claimed = registrable_domain(page_url), registrable_domain(target)
        return page == claimed or claimed in self.partners.get(page, frozenset())
