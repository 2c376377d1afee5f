"""The JSON API under ``/api/``: one endpoint per page, keys as in the CLI's ``--json``.

Reads take the page's query parameters, checked as the OpenAPI document says
(``schemas.py``: stricter than the pages). Writes need
``Authorization: Bearer <web token>`` (none: 401, wrong: 403) and a JSON
body. Errors are ``{"error": message, "status": code}``. Every response body
goes through its ``schemas`` model; the document describing all of this is
built from those models by ``openapi.py`` and served at ``/api/openapi.json``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from archiver import browse_json as shape
from archiver.errors import InputError
from archiver.records.browse import ArticleCounts, ArticleFilter, Sort
from archiver.web import (
    captures,
    corrections,
    history_schemas,
    load,
    openapi,
    params,
    reading,
    schemas,
    security,
)
from archiver.web.state import state_of

MAX_BODY_BYTES = 64 * 1024


def send(model: type[BaseModel], data: Any, status: int = 200) -> Response:
    """``data`` checked against ``model`` (what the document promises) and sent."""
    body = model.model_validate(data).model_dump(mode="json", by_alias=True)
    return JSONResponse(body, status_code=status)


def _counts(counts: ArticleCounts) -> dict[str, Any]:
    return {
        "sites": [{"site": f.value, "articles": f.articles} for f in counts.sites],
        "sources": [{"source": f.value, "articles": f.articles} for f in counts.sources],
        "authors": [{"author": f.value, "articles": f.articles} for f in counts.authors],
        "languages": [{"language": f.value, "articles": f.articles} for f in counts.languages],
    }


def _filters(q: schemas.FilterQuery) -> params.Filters:
    # An empty range (since >= until) is a valid question with no answer, not an error.
    filt = ArticleFilter(q.site, q.source, q.since, q.until, author=q.author, language=q.language)
    return params.Filters(filt, {})


async def articles(request: Request) -> Response:
    """Articles newest first, or as ``sort``/``order`` say (keyset pages: follow the
    ``next`` / ``prev`` cursors, with the same parameters)."""
    q = reading.query(schemas.ArticlesQuery, request.query_params)
    filters = _filters(q)
    after, before = params.cursor(q.cursor.after), params.cursor(q.cursor.before)
    paging = params.Paging(q.limit, after, before, Sort(q.sort, q.order == "desc"))
    found = await state_of(request).read(lambda s: load.listing(s, filters, paging))
    page = found.page
    data = {
        "total": found.counts.total,
        "limit": paging.limit,
        "next": page.older.token() if page.older else None,
        "prev": page.newer.token() if page.newer else None,
        "articles": [shape.summary_json(a) for a in page.items],
        "counts": _counts(found.counts),
    }
    return send(schemas.ArticlePage, data)


async def article(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    seq = reading.query(schemas.ArticleQuery, request.query_params).version
    d = await state_of(request).read(lambda s: load.detail(s, article_id, seq))
    data = {
        **shape.show_json(d.article, d.version, d.near),
        "captures": d.captures.count,
        "capture_errors": d.captures.errors,
        "first_captured": shape.iso(d.captures.first),
        "last_captured": shape.iso(d.captures.last),
    }
    return send(schemas.Article, data)


async def versions(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    article_view, found = await state_of(request).read(lambda s: load.history(s, article_id))
    redone = await state_of(request).read(lambda s: load.corrections(s, article_id))
    data = shape.history_json(article_view, found)
    data["reextractions"] = [
        {k: v for k, v in row.items() if k != "page_url"}
        for row in corrections.rows(article_id, redone)
    ]
    return send(history_schemas.History, data)


async def reextraction(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    number: int = request.path_params["number"]
    found = await state_of(request).read(lambda s: corrections.one(s, article_id, number))
    return send(history_schemas.Reextraction, corrections.as_json(found))


async def diff(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    q = reading.query(schemas.DiffQuery, request.query_params)
    found = await state_of(request).read(lambda s: load.compare(s, article_id, q.from_, q.to))
    return send(schemas.Diff, shape.diff_json(found.diff))


async def search(request: Request) -> Response:
    """Ranked matches; an archived article's URL (any that reached it) finds that article,
    as the web search does (where it goes straight to it)."""
    q = reading.query(schemas.SearchQuery, request.query_params)
    filters, text = _filters(q), q.q.strip()
    web = state_of(request)
    known = await web.read(lambda s: load.known_url(s, text))
    if known is not None:
        hits = [load.url_hit(known)] if q.page == 1 else []
        total = 1
    else:
        found = await web.read(lambda s: load.searching(s, text, filters, q.limit, q.page))
        hits, total = found.hits, found.page.total
    data = {
        "query": text,
        "total": total,
        "page": q.page,
        "limit": q.limit,
        "results": [shape.search_json(h) for h in hits],
    }
    return send(schemas.SearchResults, data)


async def sources(request: Request) -> Response:
    if request.method == "POST":
        return await add_source(request)
    found = await state_of(request).read(lambda s: s.sources())
    return send(schemas.Sources, {"sources": [shape.source_json(s) for s in found]})


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


async def body(request: Request) -> Any:
    """The JSON body of an authorized write: 401/403, 415 not JSON, 413 too large, 400 bad."""
    security.require_bearer(request, state_of(request).token)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise HTTPException(415, "send a JSON body with Content-Type: application/json")
    too_large = HTTPException(413, f"the body is over {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise too_large
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"body is not valid JSON: {exc}") from exc


async def add_url(request: Request) -> Response:
    new = reading.body(schemas.NewURL, await body(request))
    result = await load.add_url(state_of(request).opened, new.url)
    if result.outcome == "error":
        if result.failure is not None and issubclass(result.failure, InputError):  # bad URL
            return send(schemas.Error, {"error": result.error or "bad URL", "status": 400}, 400)
        return send(schemas.AddFailure, {**shape.add_json(result), "status": 502}, 502)
    return send(schemas.AddResult, shape.add_json(result), 201 if result.outcome == "new" else 200)


async def add_source(request: Request) -> Response:
    new = reading.body(schemas.NewSource, await body(request))
    fields = {
        "url": new.url,
        "kind": new.kind,
        "name": new.name,
        "every": new.every,
        "cron": new.cron,
        "include": new.include,
        "exclude": new.exclude,
    }
    added = await state_of(request).read(lambda s: load.add_source(s, fields))
    return send(schemas.Source, shape.source_json(added), 201)


async def source_state(request: Request) -> Response:
    security.require_bearer(request, state_of(request).token)
    name: str = request.path_params["name"]
    action: str = request.path_params["action"]
    if action not in ("pause", "resume"):
        raise HTTPException(404)
    paused = action == "pause"
    changed = await state_of(request).read(lambda s: load.set_paused(s, name, paused))
    return send(schemas.Source, shape.source_json(changed))


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi.document())


routes: list[BaseRoute] = [
    Route("/articles", articles, methods=["GET"]),
    Route("/articles/{article_id:int}", article, methods=["GET"]),
    Route("/articles/{article_id:int}/versions", versions, methods=["GET"]),
    Route("/articles/{article_id:int}/diff", diff, methods=["GET"]),
    Route("/articles/{article_id:int}/reextractions/{number:int}", reextraction, methods=["GET"]),
    Route("/articles/{article_id:int}/captures", captures.api_captures, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
    Route("/sources", sources, methods=["GET", "POST"]),  # one route: one Allow header
    Route("/sources/{name}/{action}", source_state, methods=["POST"]),
    Route("/urls", add_url, methods=["POST"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
