"""fetch stage: the only part of archiver that talks HTTP (httpx/httpcore stay inside).

``Fetcher.fetch(url)`` returns a ``FetchResult`` for any final HTTP status and
raises ``archiver.errors.FetchError`` subclasses for transport problems and
for URLs the site's robots.txt disallows (``RobotsDisallowedError``).
``Fetcher.robots_sitemaps(url)`` and ``Fetcher.crawl_delay(url)`` expose what
robots.txt says about that URL's origin.
"""

from archiver.fetch.client import DEFAULT_ACCEPT, Fetcher
from archiver.fetch.guard import AddressPolicy, GuardedTransport
from archiver.fetch.result import FetchResult

__all__ = ["DEFAULT_ACCEPT", "AddressPolicy", "FetchResult", "Fetcher", "GuardedTransport"]
