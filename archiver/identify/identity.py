"""Which article a fetched page is, and every URL that reaches it.

The article's identity is its canonical URL: the page's own
``<link rel=canonical>`` (for an AMP page, the canonical page it points at),
else ``og:url``, else the URL the redirects ended on. A declaration naming
another site is ignored unless that site is a configured partner (see
archiver.identify.domains). Every URL seen on the way (the one asked for, each
redirect hop, the final one) becomes an alias.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archiver.errors import UnsupportedURLError
from archiver.identify.domains import CanonicalPolicy
from archiver.identify.urls import is_site_root, normalize_url, site_of
from archiver.records.extracted import PageLinks


@dataclass(frozen=True, slots=True)
class Identity:
    canonical_url: str
    urls: tuple[str, ...]  # normalized aliases, canonical included, in discovery order
    site: str


def _try_normalize(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalize_url(url)
    except UnsupportedURLError:
        return None


def _trusted_canonical(
    candidate: str | None, final_url: str, policy: CanonicalPolicy
) -> str | None:
    """A declared canonical, unless it names another site or is a template mistake.

    Many CMSes ship every page with the home page as canonical; honouring that
    would fold a whole site into one article, so a root canonical is only
    believed for a root page.
    """
    url = _try_normalize(candidate)
    if url is None or not policy.trusts(final_url, url):
        return None
    if is_site_root(url) and not is_site_root(final_url):
        return None
    return url


def resolve_identity(
    requested_url: str,
    final_url: str,
    redirects: Iterable[str],
    links: PageLinks,
    policy: CanonicalPolicy | None = None,
) -> Identity:
    """Decide the canonical URL and the alias set for one fetched page."""
    final = normalize_url(final_url)
    requested = _try_normalize(requested_url)
    if requested is not None and "#!" in requested and requested.split("#", 1)[0] == final:
        final = requested  # a hashbang page: the client never sends its fragment
    policy = policy or CanonicalPolicy()
    canonical = (
        _trusted_canonical(links.amp_canonical, final, policy)
        or _trusted_canonical(links.canonical, final, policy)
        or _trusted_canonical(links.og_url, final, policy)
        or final
    )
    seen: dict[str, None] = {}
    for url in (requested_url, *redirects, final, canonical):
        normalized = _try_normalize(url)
        if normalized is not None:
            seen.setdefault(normalized, None)
    return Identity(canonical_url=canonical, urls=tuple(seen), site=site_of(canonical))
