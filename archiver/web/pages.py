"""Server-rendered pages that only read: home, search, article, history, diff.

The forms that change something are in ``forms.py`` and ``manage.py`` (the sources
page, "check now"). Every page has a twin under ``/api/`` (``api.py``) reading the
same parameters.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archiver.browse_json import history_json
from archiver.records.browse import ArticleCounts
from archiver.version.diff import excerpt
from archiver.web import captures, corrections, explore, fields, forms, load, manage, params
from archiver.web.state import render, state_of


def _options(
    facets: ArticleCounts, filters: params.Filters
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(value, label) choices for the site and source menus; a chosen value is always listed."""
    sites = [(f.value, f"{f.value} ({f.articles})") for f in facets.sites]
    sources = [(f.value, f"{f.value} ({f.articles})") for f in facets.sources]
    chosen_site, chosen_source = filters.filt.site, filters.filt.source
    if chosen_site and chosen_site not in {v for v, _ in sites}:
        sites.append((chosen_site, f"{chosen_site} (0)"))
    if chosen_source and chosen_source not in {v for v, _ in sources}:
        sources.append((chosen_source, f"{chosen_source} (0)"))
    return sites, sources


def _filter_context(filters: params.Filters, counts: ArticleCounts) -> dict[str, Any]:
    sites, sources = _options(counts, filters)
    return {"filters": filters.filt, "query": filters.query, "sites": sites, "sources": sources}


async def home(request: Request) -> Response:
    filters, paging = params.filters(request.query_params), params.paging(request.query_params)
    found = await state_of(request).read(lambda s: load.listing(s, filters, paging))
    keep = explore.view_query(filters, paging)
    page = found.page
    return await render(
        request,
        "home.html",
        {
            "nav": "home",
            "page": page,
            "total": found.counts.total,
            "newer": page.newer and request.url.path + "?" + _qs(keep, before=page.newer.token()),
            "older": page.older and request.url.path + "?" + _qs(keep, after=page.older.token()),
            "keep": keep,
            "sorted": paging.sort,
            "sort_links": explore.sort_links(filters, paging),
            "facets": explore.facets(found.counts, filters, paging),
            **_filter_context(filters, found.counts),
        },
    )


def _qs(keep: dict[str, str], **extra: str) -> str:
    return urlencode({**keep, **extra})


async def search(request: Request) -> Response:
    query_params = request.query_params
    q = params.text(query_params, "q")
    filters = params.filters(query_params)
    limit, number = params.search_page(query_params)
    web = state_of(request)
    if q is not None:  # a URL that reached an archived article goes straight to it
        known = await web.read(lambda s: load.known_url(s, q))
        if known is not None:
            return RedirectResponse(f"/articles/{known.id}", status_code=303)
    context: dict[str, Any] = {"nav": "search", "q": q or "", "hits": [], "total": 0, "pages": []}
    if q is None:
        counts = await web.read(lambda s: s.browse_counts(filters.filt))
        return await render(request, "search.html", {**context, **_filter_context(filters, counts)})
    found = await web.read(lambda s: load.searching(s, q, filters, limit, number))
    keep = {"q": q, **filters.query}
    if limit != fields.DEFAULT_LIMIT:
        keep["limit"] = str(limit)
    last = min(fields.MAX_SEARCH_PAGE, max(1, math.ceil(found.page.total / limit)))
    pages = [(n, "/search?" + _qs(keep, page=str(n)), n == number) for n in range(1, last + 1)]
    context.update(hits=found.hits, total=found.page.total, pages=pages if last > 1 else [])
    return await render(
        request, "search.html", {**context, **_filter_context(filters, found.counts)}
    )


async def article(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    seq = params.optional_int(request.query_params, "version")
    found = await state_of(request).read(lambda s: load.detail(s, article_id, seq))
    fetched = await state_of(request).read(lambda s: s.captures(article_id, limit=captures.LIMIT))
    return await render(request, "article.html", {"nav": "home", "d": found, "fetches": fetched})


async def history(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    article_view, versions = await state_of(request).read(lambda s: load.history(s, article_id))
    redone = await state_of(request).read(lambda s: load.corrections(s, article_id))
    rows = history_json(article_view, versions)["versions"]
    fixes = corrections.rows(article_id, redone)
    context = {"nav": "home", "article": article_view, "rows": rows, "corrections": fixes,
               "latest": article_view.latest}  # fmt: skip
    return await render(request, "history.html", context)


DIFF_CONTEXT = 1  # unchanged paragraphs around each change (like ``archiver diff``)


async def diff(request: Request) -> Response:
    """The changed paragraphs with a little context, or the full text with ``?full=1``."""
    article_id: int = request.path_params["article_id"]
    from_seq = params.optional_int(request.query_params, "from")
    to_seq = params.optional_int(request.query_params, "to")
    full = params.integer(request.query_params, "full", 0, 0, 1) == 1
    found = await state_of(request).read(lambda s: load.compare(s, article_id, from_seq, to_seq))
    shown = excerpt(found.diff.ops, None if full else DIFF_CONTEXT)
    keep = {"from": str(found.diff.from_seq), "to": str(found.diff.to_seq)}
    context = {"nav": "home", "c": found, "shown": shown, "full": full, "keep": keep}
    return await render(request, "diff.html", context)


routes: list[BaseRoute] = [
    Route("/", home, name="home"),
    Route("/search", search, name="search"),
    Route("/articles/{article_id:int}", article, name="article"),
    Route("/articles/{article_id:int}/history", history, name="history"),
    Route("/articles/{article_id:int}/diff", diff, name="diff"),
    Route(
        "/articles/{article_id:int}/reextractions/{number:int}",
        corrections.page,
        name="reextraction",
    ),
    Route("/captures/{capture_id:int}/raw", captures.raw, name="raw"),
    *forms.routes,
    *manage.routes,
]
