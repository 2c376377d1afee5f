"""Discover stage: fetched feeds, sitemaps and section pages in, article URLs out.

Pure parsing, bytes in and URLs out: nothing here fetches (only the fetch
stage imports httpx), so the daemon fetches a source, hands the body over, and
queues what comes back. Every returned URL is normalized with
``archiver.identify.normalize_url`` and de-duplicated in document order.
"""

from archiver.discover.feeds import parse_feed
from archiver.discover.filters import Discovered, compile_filter, is_non_article
from archiver.discover.pages import parse_page
from archiver.discover.sitemaps import parse_sitemap, robots_sitemap_lines

__all__ = [
    "Discovered",
    "compile_filter",
    "is_non_article",
    "parse_feed",
    "parse_page",
    "parse_sitemap",
    "robots_sitemap_lines",
]
