"""One hierarchy for every error archiver raises on purpose.

Callers catch the narrowest class they can handle. What an error means to a
person is decided at the edges, from its class: the CLI prints one line on
stderr and exits 2 for an ``InputError``, 1 for any other (``cli.app.exit_code``);
the web answers 400 for an ``InputError``, 404 for ``NotFoundError`` and so on.

::

    ArchiverError
    ├── ConfigError                   unreadable or invalid configuration
    ├── InputError                    bad input from a person
    │   └── UnsupportedURLError       not an http(s) URL: file:, javascript:, junk
    ├── NotFoundError                 unknown article id, URL or version
    ├── FetchError                    the page could not be fetched
    │   ├── BlockedAddressError       private / loopback / link-local target
    │   ├── FetchTimeoutError         total deadline exceeded
    │   ├── TooManyRedirectsError     redirect hop limit reached
    │   ├── BodyTooLargeError         decompressed body over the cap
    │   ├── RobotsDisallowedError     robots.txt forbids (or could not be fetched)
    │   ├── HTTPStatusError           final response was 4xx / 5xx
    │   └── NotHTMLError              response is not an HTML document
    ├── ExtractError                  the page could not be turned into text
    │   ├── EmptyExtractionError      no article text found
    │   ├── PageTooComplexError       markup nested too deep / too many elements
    │   └── ExtractTimeoutError       extraction exceeded its time limit
    ├── DiscoverError                 body is not a usable feed or sitemap
    └── StoreError                    the database refused or is unusable
"""

from __future__ import annotations


class ArchiverError(Exception):
    """Base class of every deliberate archiver error."""


class ConfigError(ArchiverError):
    """Configuration file or environment is unreadable or invalid."""


class InputError(ArchiverError):
    """A person gave input that cannot be used (usage error)."""


class UnsupportedURLError(InputError):
    """The URL is malformed or uses a scheme other than http(s)."""


class NotFoundError(ArchiverError):
    """No article, alias or version matches what was asked for."""


class FetchError(ArchiverError):
    """A page could not be fetched."""


class BlockedAddressError(FetchError):
    """The target resolves to an address that archiver must not contact."""


class FetchTimeoutError(FetchError):
    """The whole request exceeded its total deadline."""


class TooManyRedirectsError(FetchError):
    """The redirect chain exceeded the hop limit."""


class BodyTooLargeError(FetchError):
    """The (decompressed) response body exceeded the size cap."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt disallows the URL, or robots.txt is unreachable for now."""


class HTTPStatusError(FetchError):
    """The final response had an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotHTMLError(FetchError):
    """The response is not an HTML document (PDF, image, JSON, ...)."""


class ExtractError(ArchiverError):
    """A fetched page could not be turned into clean text."""


class EmptyExtractionError(ExtractError):
    """Extraction found no article text."""


class PageTooComplexError(ExtractError):
    """The page's markup nests too deep or has too many elements to extract in bounded time."""


class ExtractTimeoutError(ExtractError):
    """Extraction of one page exceeded its time limit."""


class DiscoverError(ArchiverError):
    """A fetched body is not a feed / sitemap, or is refused as hostile (DTD, bomb)."""


class StoreError(ArchiverError):
    """The store could not complete an operation."""


class ConflictError(InputError):
    """The input conflicts with what is stored already (a source name that is taken)."""


class InternalError(ArchiverError):
    """An unexpected failure (a bug) reported in one line; ``--debug`` shows its traceback."""
