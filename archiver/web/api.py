"""The JSON API under ``/api/``: one endpoint per page, keys as in the CLI's ``--json``.

Reads take the same query parameters as the pages. Writes need
``Authorization: Bearer <web token>`` and a JSON body. Errors are
``{"error": message, "status": code}``. The document describing all of this
is ``openapi.py``, served at ``/api/openapi.json``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from archiver import browse_json as shape
from archiver.errors import InputError
from archiver.web import load, openapi, params, security
from archiver.web.state import state_of

MAX_BODY_BYTES = 64 * 1024


def _json(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


def _counts(counts: Any) -> dict[str, Any]:
    return {
        "sites": [{"site": f.value, "articles": f.articles} for f in counts.sites],
        "sources": [{"source": f.value, "articles": f.articles} for f in counts.sources],
    }


async def articles(request: Request) -> Response:
    """Articles newest first (keyset pages: follow ``next`` / ``prev`` cursors)."""
    filters, paging = params.filters(request.query_params), params.paging(request.query_params)
    found = await state_of(request).read(lambda s: load.listing(s, filters, paging))
    page = found.page
    return _json(
        {
            "total": found.counts.total,
            "limit": paging.limit,
            "next": page.older.token() if page.older else None,
            "prev": page.newer.token() if page.newer else None,
            "articles": [shape.summary_json(a) for a in page.items],
            "counts": _counts(found.counts),
        }
    )


async def article(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    seq = params.optional_int(request.query_params, "version")
    d = await state_of(request).read(lambda s: load.detail(s, article_id, seq))
    return _json(
        {
            **shape.show_json(d.article, d.version),
            "captures": d.captures.count,
            "capture_errors": d.captures.errors,
            "first_captured": shape.iso(d.captures.first),
            "last_captured": shape.iso(d.captures.last),
        }
    )


async def versions(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    article_view, found = await state_of(request).read(lambda s: load.history(s, article_id))
    return _json(shape.history_json(article_view, found))


async def diff(request: Request) -> Response:
    article_id: int = request.path_params["article_id"]
    from_seq = params.optional_int(request.query_params, "from")
    to_seq = params.optional_int(request.query_params, "to")
    found = await state_of(request).read(lambda s: load.compare(s, article_id, from_seq, to_seq))
    return _json(shape.diff_json(found.diff))


async def search(request: Request) -> Response:
    q = params.text(request.query_params, "q")
    if q is None:
        raise InputError("q: give something to search for")
    filters = params.filters(request.query_params)
    limit, number = params.search_page(request.query_params)
    found = await state_of(request).read(lambda s: load.searching(s, q, filters, limit, number))
    return _json(
        {
            "query": q,
            "total": found.page.total,
            "page": number,
            "limit": limit,
            "results": [shape.search_json(h) for h in found.hits],
        }
    )


async def sources(request: Request) -> Response:
    found = await state_of(request).read(lambda s: s.sources())
    return _json({"sources": [shape.source_json(s) for s in found]})


async def _body(request: Request) -> dict[str, Any]:
    security.require_bearer(request, state_of(request).token)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InputError("send a JSON body with Content-Type: application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InputError(f"body over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError("body must be a JSON object")
    return data


def _string(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None or isinstance(value, str):
        return value
    if name == "every" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value}s"
    raise InputError(f"{name}: must be a string")


async def add_url(request: Request) -> Response:
    data = await _body(request)
    url = _string(data, "url") or ""
    result = await load.add_url(state_of(request).opened, url)
    status = {"new": 201, "error": 400 if result.exit_code == 2 else 502}.get(result.outcome, 200)
    return _json(shape.add_json(result), status)


async def add_source(request: Request) -> Response:
    data = await _body(request)
    fields = {name: _string(data, name) for name in load.SOURCE_FIELDS}
    added = await state_of(request).read(lambda s: load.add_source(s, fields))
    return _json(shape.source_json(added), 201)


async def source_state(request: Request) -> Response:
    security.require_bearer(request, state_of(request).token)
    name: str = request.path_params["name"]
    action: str = request.path_params["action"]
    if action not in ("pause", "resume"):
        raise HTTPException(404)
    paused = action == "pause"
    changed = await state_of(request).read(lambda s: load.set_paused(s, name, paused))
    return _json(shape.source_json(changed))


async def openapi_json(request: Request) -> Response:
    return _json(openapi.document())


routes: list[BaseRoute] = [
    Route("/articles", articles, methods=["GET"]),
    Route("/articles/{article_id:int}", article, methods=["GET"]),
    Route("/articles/{article_id:int}/versions", versions, methods=["GET"]),
    Route("/articles/{article_id:int}/diff", diff, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
    Route("/sources", sources, methods=["GET"]),
    Route("/sources", add_source, methods=["POST"]),
    Route("/sources/{name}/{action}", source_state, methods=["POST"]),
    Route("/urls", add_url, methods=["POST"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
