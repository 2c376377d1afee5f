"""fetch stage: the only part of archiver that talks HTTP (httpx/httpcore stay inside).

``Fetcher.fetch(url)`` returns a ``FetchResult`` for any final HTTP status and
raises ``archiver.errors.FetchError`` subclasses for transport problems and
for URLs the site's robots.txt disallows (``RobotsDisallowedError``); its
Crawl-delay raises the host's minimum delay. A sitemap source's robots.txt is
read as a document like any other (``archiver.sources.walk``).
"""

from archiver.fetch.client import DEFAULT_ACCEPT, Fetcher
from archiver.fetch.guard import AddressPolicy, GuardedTransport
from archiver.fetch.result import FetchResult

__all__ = ["DEFAULT_ACCEPT", "AddressPolicy", "FetchResult", "Fetcher", "GuardedTransport"]
