"""Section and home pages → the links on them that may be articles.

A front page links to stories, but also to its own sections, tag pages,
images, the login form, its legal pages and other sites. Without a feed or
sitemap there is no publisher-curated list, so the links are narrowed down by
rules: links in the page's chrome (navigation, site header and footer, asides)
are left out, then same site, then either the user's ``include`` regex or the
generic non-article filters (``filters.is_non_article``, plus the site's own
about/contact/legal pages), then the user's ``exclude`` regex. What survives is
only a candidate; the extract stage decides whether a page really is an article.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborNode

from archiver.errors import UnsupportedURLError
from archiver.extract.decode import decode_html
from archiver.extract.links import absolute, parse
from archiver.identify.urls import normalize_url, site_of
from archiver.sources.filters import (
    Discovered,
    Skipped,
    compile_filter,
    is_non_article,
    normalized_skips,
)

# Containers whose links are the site's chrome wherever they are.
CHROME_TAGS = frozenset({"nav", "aside"})
CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "menu", "menubar"}
)
# The page's header and footer are chrome; an <article>'s own header or footer (a teaser
# card's headline link) is not.
EDGE_TAGS = frozenset({"header", "footer"})

# A last path segment (without .html/.php...) equal to one of these is one of the site's
# own pages about itself: who runs it, how to reach them, the legal fine print.
SITE_PAGE_SEGMENTS = frozenset(
    {
        "about", "about-us", "aboutus", "contact", "contact-us", "contactus", "imprint",
        "impressum", "legal", "legal-notice", "privacy", "privacy-policy", "privacy-notice",
        "privacy-statement", "datenschutz", "terms", "terms-of-service", "terms-of-use",
        "terms-and-conditions", "tos", "agb", "mentions-legales", "cookies", "cookie-policy",
        "cookie-settings", "accessibility", "disclaimer", "copyright", "advertise",
        "advertising", "careers", "jobs", "help", "faq", "faqs", "sitemap", "masthead",
    }
)  # fmt: skip
# A short path under one of these is one too (/about/team, /legal/cookies); a long one may
# be a story of a section with that name (/legal/2026/11/court-ruling).
SITE_PAGE_DIRS = frozenset({"about", "about-us", "legal", "help", "contact", "impressum"})


def is_site_page(url: str) -> bool:
    """True for the site's about, contact, legal, privacy, terms and similar pages."""
    segments = [unquote(s).lower() for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return False
    if posixpath.splitext(segments[-1])[0] in SITE_PAGE_SEGMENTS:
        return True
    return len(segments) <= 2 and segments[0] in SITE_PAGE_DIRS


def _roles(node: LexborNode) -> set[str]:
    return set((node.attributes.get("role") or "").lower().split())


def in_chrome(anchor: LexborNode) -> bool:
    """Whether a link sits in navigation, an aside, or the page's header or footer."""
    edge = False
    node = anchor.parent
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in CHROME_TAGS or not CHROME_ROLES.isdisjoint(_roles(node)):
            return True
        if node.tag in EDGE_TAGS:
            edge = True
        elif node.tag == "article":
            edge = False  # the header/footer below was the article's own
        node = node.parent
    return edge


def _anchors(body: bytes, base_url: str, skipped: list[Skipped]) -> dict[str, bool]:
    """Every link's normalized URL → whether it appears only in the page's chrome (links
    that are no archivable URL go to ``skipped``)."""
    tree = parse(decode_html(body))
    base_node = tree.css_first("base[href]")
    base = absolute(base_node.attributes.get("href") if base_node else None, base_url) or base_url
    links: dict[str, bool] = {}
    for node in tree.css("a[href]"):
        href = node.attributes.get("href") or ""
        url = absolute(href, base)
        if url is None:
            if href.strip() and not href.strip().startswith("#"):
                skipped.append(Skipped(href.strip()[:500], "not archivable: not an http(s) URL"))
            continue
        try:
            url = normalize_url(url)
        except UnsupportedURLError as exc:  # javascript:, mailto:, junk: not an error
            skipped.extend(normalized_skips(url, exc))
            continue
        links[url] = links.get(url, True) and in_chrome(node)
    return links


def parse_page(
    body: bytes,
    base_url: str,
    *,
    same_site: bool = True,
    include: str | None = None,
    exclude: str | None = None,
) -> Discovered:
    """Candidate article links of the page at ``base_url``, normalized, in page order.

    Links only found in the page's chrome (``in_chrome``) are dropped, unless no
    link outside it survives the rules below: then the chrome's are used. ``same_site``
    keeps only links whose site (host without ``www.``) is the page's. ``include`` /
    ``exclude`` are regexes searched in the normalized absolute URL; an ``include``
    replaces the default non-article filters (``filters.is_non_article``,
    ``is_site_page``) entirely, ``exclude`` always applies. The page itself is always
    dropped: a section page is never its own article.

    Raises ``InputError`` for an invalid regex or an unusable ``base_url``.
    """
    wanted = compile_filter(include, option="include")
    unwanted = compile_filter(exclude, option="exclude")
    page = normalize_url(base_url)
    site = site_of(page)
    kept: list[str] = []
    chrome: list[str] = []
    skipped: list[Skipped] = []
    for url, only_in_chrome in _anchors(body, base_url, skipped).items():
        reason = _rejected(url, page, site if same_site else None, wanted, unwanted)
        if reason is not None:
            if url != page:
                skipped.append(Skipped(url, reason))
            continue
        (chrome if only_in_chrome else kept).append(url)
    if kept:
        skipped.extend(Skipped(url, "only in the page's navigation or footer") for url in chrome)
    return Discovered(articles=kept or chrome, skipped=skipped)


def _rejected(
    url: str,
    page: str,
    site: str | None,
    wanted: re.Pattern[str] | None,
    unwanted: re.Pattern[str] | None,
) -> str | None:
    """Why link ``url`` of section page ``page`` is no candidate (None: it is one)."""
    if url == page:
        return "the page itself"
    if site is not None and site_of(url) != site:
        return "another site"
    if unwanted is not None and unwanted.search(url):
        return "excluded"
    if wanted is not None:
        return None if wanted.search(url) else "not included"
    if is_non_article(url):
        return "not an article (home page, listing, file or account page)"
    if is_site_page(url):
        return "a site page (about, contact, legal)"
    return None
