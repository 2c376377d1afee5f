"""Atom 1.0 change feeds of new and updated articles, under ``/feeds/``.

* ``/feeds/all``: the whole archive;
* ``/feeds/sites/{site}``: one site (a host, as the ``site`` filter takes it);
* ``/feeds/sources/{name}``: the articles first found through one source;
* ``/feeds/articles/{article_id}``: every version of one article.

An entry is one version, newest first (at most ``LIMIT``): version 1 is a new
article (category ``new``), a later version an update (category ``updated``).
Its id is the version's page, ``<base>/articles/<id>?version=<n>``, which is
also its ``alternate`` link; an update links to its diff against the previous
version (``rel="related"``), and every entry to the original page
(``rel="via"``). ``updated`` and ``published`` are when the version was
archived. URLs are absolute, built from the address the request came to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archiver import __version__
from archiver.browse_json import iso
from archiver.errors import NotFoundError
from archiver.records.feeds import FeedEntry, FeedScope
from archiver.web import fields, load
from archiver.web.state import state_of

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
LIMIT = 50
SUMMARY_CHARS = 300


def feed_path(scope: FeedScope) -> str:
    """The path of the feed of ``scope`` (for links from the pages)."""
    if scope.article_id is not None:
        return f"/feeds/articles/{scope.article_id}"
    if scope.site is not None:
        return f"/feeds/sites/{scope.site}"
    if scope.source is not None:
        return f"/feeds/sources/{scope.source}"
    return "/feeds/all"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _summary(entry: FeedEntry) -> str:
    if entry.description:
        return entry.description
    text = " ".join(entry.text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _entry(feed: ET.Element, base: str, entry: FeedEntry) -> None:
    page = f"{base}/articles/{entry.article_id}?version={entry.seq}"
    node = _sub(feed, "entry")
    _sub(node, "id", page)
    kind = "new" if entry.seq == 1 else "updated"
    title = entry.title or "(untitled)"
    _sub(node, "title", title if entry.seq == 1 else f"{title} (version {entry.seq})")
    stamp = iso(entry.created_at) or ""
    _sub(node, "updated", stamp)
    _sub(node, "published", stamp)
    _sub(node, "link", rel="alternate", type="text/html", href=page)
    if entry.seq > 1:
        query = urlencode({"from": entry.seq - 1, "to": entry.seq})
        diff = f"{base}/articles/{entry.article_id}/diff?{query}"
        _sub(node, "link", rel="related", type="text/html", href=diff, title="What changed")
    _sub(node, "link", rel="via", href=entry.url)
    _sub(node, "category", term=kind, label="New article" if kind == "new" else "Updated")
    _sub(node, "summary", _summary(entry), type="text")


def atom(entries: list[FeedEntry], *, base: str, self_url: str, html_url: str, title: str) -> bytes:
    """The Atom document of ``entries`` (newest first)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    newest = entries[0].created_at if entries else datetime.now(UTC)
    _sub(feed, "updated", iso(newest) or "")
    _sub(feed, "link", rel="self", type=MEDIA_TYPE, href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    author = _sub(feed, "author")
    _sub(author, "name", "archiver")
    _sub(feed, "generator", "archiver", version=__version__)
    for entry in entries:
        _entry(feed, base, entry)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


async def _answer(request: Request, scope: FeedScope, title: str, html_path: str) -> Response:
    entries = await state_of(request).read(lambda s: s.feed_entries(scope, limit=LIMIT))
    base = str(request.base_url).rstrip("/")
    body = atom(entries, base=base, self_url=base + feed_path(scope),
                html_url=base + html_path, title=title)  # fmt: skip
    return Response(body, media_type=f"{MEDIA_TYPE}; charset=utf-8")


async def all_articles(request: Request) -> Response:
    return await _answer(request, FeedScope(), "archiver: new and updated articles", "/")


async def site(request: Request) -> Response:
    raw: str = request.path_params["site"]
    host = fields.site_host(raw)
    if not host:
        raise NotFoundError(f"not a site: {raw!r}")
    query = urlencode({"site": host})
    return await _answer(request, FeedScope(site=host), f"archiver: {host}", f"/?{query}")


async def source(request: Request) -> Response:
    name: str = request.path_params["name"]
    await state_of(request).read(lambda s: s.source(name))  # 404 when there is none
    query = urlencode({"source": name})
    return await _answer(request, FeedScope(source=name), f"archiver: source {name}", f"/?{query}")


async def article(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    if not 0 < article_id <= load.MAX_ID:
        raise NotFoundError(f"no archived article matches {article_id}")
    found = await state_of(request).read(lambda s: s.article(article_id))
    title = f"archiver: {found.latest.title or found.canonical_url}"
    return await _answer(
        request, FeedScope(article_id=article_id), title, f"/articles/{article_id}"
    )


routes: list[BaseRoute] = [
    Route("/feeds/all", all_articles, name="feed_all"),
    Route("/feeds/sites/{site}", site, name="feed_site"),
    Route("/feeds/sources/{name}", source, name="feed_source"),
    Route("/feeds/articles/{article_id:int}", article, name="feed_article"),
]
