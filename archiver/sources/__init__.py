"""Sources: what a feed, sitemap, section page or single URL yields, and polling them.

The parsers (``feeds``, ``sitemaps``, ``pages``, with ``filters`` and
``xmlguard``) are pure: bytes in, article URLs out; nothing here opens a
connection (only the fetch stage imports httpx). Every returned URL is
normalized with ``archiver.identify.normalize_url`` and de-duplicated in
document order. Around them: ``specs`` validates a source (the one list of
kinds), ``file`` reads ``config/sources.toml``, ``walk`` follows a sitemap
source (robots.txt ``Sitemap:`` lines, indexes, urlsets) and ``poll`` fetches
a source and archives what is new — what the daemon's jobs, ``archiver source
run`` and the web's "poll now" all call. Only the parsers are exported here, so
importing them loads no store.
"""

from archiver.sources.feeds import parse_feed
from archiver.sources.filters import Discovered, compile_filter, is_non_article
from archiver.sources.pages import parse_page
from archiver.sources.sitemaps import parse_sitemap, robots_sitemap_lines

__all__ = [
    "Discovered",
    "compile_filter",
    "is_non_article",
    "parse_feed",
    "parse_page",
    "parse_sitemap",
    "robots_sitemap_lines",
]
