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
from archiver.records.browse import ArticleFilter
from archiver.web import captures, load, openapi, params, reading, schemas, security
from archiver.web.state import state_of

MAX_BODY_BYTES = 64 * 1024


def _json(model: type[BaseModel], data: Any, status: int = 200) -> Response:
    """``data`` checked against ``model`` (what the document promises) and sent."""
    body = model.model_validate(data).model_dump(mode="json", by_alias=True)
    return JSONResponse(body, status_code=status)


def _counts(counts: Any) -> dict[str, Any]:
    return {
        "sites": [{"site": f.value, "articles": f.articles} for f in counts.sites],
        "sources": [{"source": f.value, "articles": f.articles} for f in counts.sources],
    }


def _filters(q: schemas.FilterQuery) -> params.Filters:
    # An empty range (since >= until) is a valid question with no answer, not an error.
    filt = ArticleFilter(site=q.site, source=q.source, since=q.since, until=q.until)
    return params.Filters(filt, {})


async def articles(request: Request) -> Response:
    """Articles newest first (keyset pages: follow ``next`` / ``prev`` cursors)."""
    q = reading.query(schemas.ArticlesQuery, request.query_params)
    filters = _filters(q)
    paging = params.Paging(q.limit, params.cursor(q.cursor.after), params.cursor(q.cursor.before))
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
    return _json(schemas.ArticlePage, data)


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
    return _json(schemas.Article, data)


async def versions(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    article_view, found = await state_of(request).read(lambda s: load.history(s, article_id))
    return _json(schemas.History, shape.history_json(article_view, found))


async def diff(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    q = reading.query(schemas.DiffQuery, request.query_params)
    found = await state_of(request).read(lambda s: load.compare(s, article_id, q.from_, q.to))
    return _json(schemas.Diff, shape.diff_json(found.diff))


async def search(request: Request) -> Response:
    q = reading.query(schemas.SearchQuery, request.query_params)
    filters = _filters(q)
    found = await state_of(request).read(
        lambda s: load.searching(s, q.q.strip(), filters, q.limit, q.page)
    )
    data = {
        "query": q.q.strip(),
        "total": found.page.total,
        "page": q.page,
        "limit": q.limit,
        "results": [shape.search_json(h) for h in found.hits],
    }
    return _json(schemas.SearchResults, data)


async def sources(request: Request) -> Response:
    if request.method == "POST":
        return await add_source(request)
    found = await state_of(request).read(lambda s: s.sources())
    return _json(schemas.Sources, {"sources": [shape.source_json(s) for s in found]})


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


async def _body(request: Request) -> Any:
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
    new = reading.body(schemas.NewURL, await _body(request))
    result = await load.add_url(state_of(request).opened, new.url)
    if result.outcome == "error":
        if result.failure is not None and issubclass(result.failure, InputError):  # bad URL
            return _json(schemas.Error, {"error": result.error or "bad URL", "status": 400}, 400)
        return _json(schemas.AddFailure, {**shape.add_json(result), "status": 502}, 502)
    return _json(schemas.AddResult, shape.add_json(result), 201 if result.outcome == "new" else 200)


async def add_source(request: Request) -> Response:
    new = reading.body(schemas.NewSource, await _body(request))
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
    return _json(schemas.Source, shape.source_json(added), 201)


async def source_state(request: Request) -> Response:
    security.require_bearer(request, state_of(request).token)
    name: str = request.path_params["name"]
    action: str = request.path_params["action"]
    if action not in ("pause", "resume"):
        raise HTTPException(404)
    paused = action == "pause"
    changed = await state_of(request).read(lambda s: load.set_paused(s, name, paused))
    return _json(schemas.Source, shape.source_json(changed))


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi.document())


routes: list[BaseRoute] = [
    Route("/articles", articles, methods=["GET"]),
    Route("/articles/{article_id:int}", article, methods=["GET"]),
    Route("/articles/{article_id:int}/versions", versions, methods=["GET"]),
    Route("/articles/{article_id:int}/diff", diff, methods=["GET"]),
    Route("/articles/{article_id:int}/captures", captures.api_captures, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
    Route("/sources", sources, methods=["GET", "POST"]),  # one route: one Allow header
    Route("/sources/{name}/{action}", source_state, methods=["POST"]),
    Route("/urls", add_url, methods=["POST"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
