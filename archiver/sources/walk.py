"""Walk a sitemap source: a robots.txt's ``Sitemap:`` lines, sitemap indexes, urlsets.

Every document is fetched conditionally. Validators and what each document
listed are remembered in a ``SitemapCache`` owned by the daemon, so an index
that answers 304 (or the same bytes) still yields its children, and each
child that answers 304 yields what it listed last time without being parsed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from archiver.archive import Services
from archiver.errors import ArchiverError
from archiver.sources import Discovered, parse_sitemap, robots_sitemap_lines
from archiver.sources.filters import Skipped
from archiver.version import body_hash

log = logging.getLogger("archiver.daemon")

MAX_CHILD_SITEMAPS = 50
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True, slots=True)
class CachedSitemap:
    etag: str | None
    last_modified: str | None
    body_hash: str
    found: Discovered


class SitemapCache:
    """Recently seen sitemap documents, least recently used dropped first."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, CachedSitemap] = OrderedDict()
        self._max = max_entries
        self.not_modified = 0  # documents answered with 304 or identical bytes
        self.probed: dict[str, list[str]] = {}  # robots.txt URL -> well-known sitemaps found

    def get(self, url: str) -> CachedSitemap | None:
        entry = self._entries.get(url)
        if entry is not None:
            self._entries.move_to_end(url)
        return entry

    def put(self, url: str, entry: CachedSitemap) -> None:
        self._entries[url] = entry
        self._entries.move_to_end(url)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)


def _parse(body: bytes, url: str) -> Discovered:
    if urlsplit(url).path.endswith("/robots.txt"):
        return Discovered(
            articles=[], sitemaps=robots_sitemap_lines(body.decode("utf-8", "replace"), url)
        )
    return parse_sitemap(body, url)


async def _document(services: Services, url: str, cache: SitemapCache) -> Discovered:
    cached = cache.get(url)
    result = await services.fetcher.fetch(
        url,
        etag=cached.etag if cached else None,
        last_modified=cached.last_modified if cached else None,
        accept=SITEMAP_ACCEPT,
    )
    if result.status == 304 and cached is not None:
        cache.not_modified += 1
        return cached.found
    result.raise_for_status()
    digest = body_hash(result.body)
    if cached is not None and cached.body_hash == digest:
        cache.not_modified += 1
        return cached.found
    found = _parse(result.body, result.final_url)
    cache.put(url, CachedSitemap(result.etag, result.last_modified, digest, found))
    return found


WELL_KNOWN = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-index.xml", "/sitemap-news.xml",
              "/news-sitemap.xml", "/sitemap.txt")  # fmt: skip
"""Where sitemaps live when robots.txt names none (probed once per cache)."""


async def _well_known(services: Services, robots_url: str, cache: SitemapCache) -> list[str]:
    """The well-known sitemap paths of the robots.txt's site that answer with a sitemap."""
    probed = cache.probed.get(robots_url)
    if probed is not None:
        return probed
    found = []
    for path in WELL_KNOWN:
        url = urljoin(robots_url, path)
        try:
            await _document(services, url, cache)
        except ArchiverError as exc:
            log.debug("no sitemap at %s: %s", url, exc)
            continue
        found.append(url)
    cache.probed[robots_url] = found
    return found


@dataclass(frozen=True, slots=True)
class Walked:
    """Article URLs of a sitemap source, and what was wrong on the way."""

    urls: list[str]
    damage: list[str]
    skipped: list[Skipped]


async def sitemap_urls(services: Services, url: str, cache: SitemapCache) -> Walked:
    """Article URLs reachable from a sitemap source, children breadth first (bounded).

    A robots.txt that names no sitemap is backed by the well-known paths. A child
    that cannot be fetched or parsed, and a document read only in part, are named
    in ``damage``; the walk goes on."""
    top = await _document(services, url, cache)
    queue, articles, damage = list(top.sitemaps), list(top.articles), list(top.damage)
    skipped = list(top.skipped)
    if not queue and not articles and urlsplit(url).path.endswith("/robots.txt"):
        queue = await _well_known(services, url, cache)
    seen: set[str] = set()
    while queue and len(seen) < MAX_CHILD_SITEMAPS:
        child_url = queue.pop(0)
        if child_url in seen:
            continue
        seen.add(child_url)
        try:
            child = await _document(services, child_url, cache)
        except ArchiverError as exc:
            log.info("sitemap %s skipped: %s", child_url, exc)
            damage.append(f"{child_url}: {exc}")
            continue
        articles.extend(child.articles)
        damage.extend(child.damage)
        skipped.extend(child.skipped)
        queue.extend(child.sitemaps)
    return Walked(list(dict.fromkeys(articles)), damage, skipped)
