"""What discovery returns, and the rules every discovered URL goes through.

Feeds, sitemaps and section pages all end the same way: candidate URLs are
normalized (one spelling per address, tracking parameters gone, so the same
story linked twice collapses to one) and de-duplicated in document order. Only
section pages get the heuristic non-article filter: feeds and sitemaps are
lists the publisher curated, a page's links are mostly navigation.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from archiver.errors import InputError, UnsupportedURLError
from archiver.identify.urls import is_site_root, normalize_url


@dataclass(frozen=True, slots=True)
class Skipped:
    """A link of a source document that is no candidate article, and why."""

    url: str
    reason: str  # "not archivable: ...", "other site", "not an article", "excluded", ...


@dataclass(frozen=True, slots=True)
class Discovered:
    """URLs found in one fetched document.

    ``articles`` are normalized candidate article URLs; ``sitemaps`` are the
    child sitemaps of a sitemap index, to be fetched and parsed next;
    ``damage`` says what was wrong with a document whose readable part was used
    (a sitemap cut off mid-way); ``skipped`` names every link the document had that
    is not a candidate, and why.
    """

    articles: list[str]
    sitemaps: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# Links whose last path segment ends like this point at files, not stories:
# images, styles and scripts, documents, feeds, media and archives.
ASSET_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp", ".tif",
        ".tiff", ".css", ".js", ".mjs", ".pdf", ".xml", ".rss", ".atom", ".rdf", ".mp3",
        ".mp4", ".webm", ".zip",
    }
)  # fmt: skip

# A path segment equal to one of these (case-insensitive) marks a listing, a
# feed or an account flow on virtually every news CMS: /tag/x, /author/y,
# /category/z, /search, /feed, /login, /subscribe, ... An article slug is never
# exactly one of these words. Deliberately short: a wrong entry loses articles.
NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "author", "authors", "search",
        "feed", "feeds", "rss", "atom",
        "login", "logout", "signin", "sign-in", "signup", "sign-up", "register",
        "account", "my-account", "subscribe", "subscription", "subscriptions",
        "wp-admin", "wp-login.php",
    }
)  # fmt: skip


def normalized(urls: Iterable[str], skipped: list[Skipped] | None = None) -> list[str]:
    """``urls`` through ``normalize_url``, duplicates collapsed; the rejected ones
    (javascript:, mailto:, junk: not archivable, not an error) go to ``skipped``."""
    seen: dict[str, None] = {}
    for raw in urls:
        try:
            seen.setdefault(normalize_url(raw), None)
        except UnsupportedURLError as exc:
            if skipped is not None:
                skipped.append(Skipped(raw, f"not archivable: {_why(exc)}"))
    return list(seen)


def normalized_skips(url: str, exc: Exception) -> list[Skipped]:
    """The one ``Skipped`` of a link that ``normalize_url`` refused."""
    return [Skipped(url, f"not archivable: {_why(exc)}")]


def _why(exc: Exception) -> str:
    """The reason of an ``UnsupportedURLError`` ("not an archivable URL: 'x' (why)")."""
    text = str(exc)
    return text[text.rfind("(") + 1 : -1] if text.endswith(")") and "(" in text else text


def is_non_article(url: str) -> bool:
    """True for URLs that are obviously not a story: site root, assets, listings, accounts.

    ``url`` is a normalized absolute URL. The rules are generic on purpose
    (see ``ASSET_EXTENSIONS`` and ``NON_ARTICLE_SEGMENTS``); a site that needs
    more precision uses include/exclude regexes instead.
    """
    if is_site_root(url):
        return True
    path = urlsplit(url).path
    segments = [unquote(s).lower() for s in path.split("/") if s]
    if segments and posixpath.splitext(segments[-1])[1] in ASSET_EXTENSIONS:
        return True
    return not NON_ARTICLE_SEGMENTS.isdisjoint(segments)


def compile_filter(pattern: str | None, *, option: str) -> re.Pattern[str] | None:
    """Compile a user's include/exclude regex; ``InputError`` naming ``option`` if invalid.

    Compiling once up front lets the CLI reject a bad ``--include`` before any
    fetch, with a message that says which option was wrong.
    """
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{option}: invalid regular expression {pattern!r}: {exc}") from exc
