"""Section and home pages → the links on them that may be articles.

A front page links to stories, but also to its own sections, tag pages,
images, the login form and other sites. Without a feed or sitemap there is no
publisher-curated list, so the links are narrowed down by rules: same site,
then either the user's ``include`` regex or a small generic non-article filter,
then the user's ``exclude`` regex. What survives is only a candidate; the
extract stage decides whether a page really is an article.
"""

from __future__ import annotations

from archiver.extract.decode import decode_html
from archiver.extract.links import find_links
from archiver.identify.urls import normalize_url, site_of
from archiver.sources.filters import Discovered, compile_filter, is_non_article, normalized


def parse_page(
    body: bytes,
    base_url: str,
    *,
    same_site: bool = True,
    include: str | None = None,
    exclude: str | None = None,
) -> Discovered:
    """Candidate article links of the page at ``base_url``, normalized, in page order.

    ``same_site`` keeps only links whose site (host without ``www.``) is the
    page's. ``include`` / ``exclude`` are regexes searched in the normalized
    absolute URL; an ``include`` replaces the default non-article filter
    (``filters.is_non_article``) entirely, ``exclude`` always applies. The page
    itself is always dropped: a section page is never its own article.

    Raises ``InputError`` for an invalid regex or an unusable ``base_url``.
    """
    wanted = compile_filter(include, option="include")
    unwanted = compile_filter(exclude, option="exclude")
    page = normalize_url(base_url)
    site = site_of(page)
    links = normalized(find_links(decode_html(body), base_url))
    kept: list[str] = []
    for url in links:
        if url == page or (same_site and site_of(url) != site):
            continue
        if unwanted is not None and unwanted.search(url):
            continue
        if wanted is not None:
            if wanted.search(url) is None:
                continue
        elif is_non_article(url):
            continue
        kept.append(url)
    return Discovered(articles=kept)
