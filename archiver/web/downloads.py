"""``/export.jsonl``: the JSONL export of what the home or search page shows, filters applied.

The home page and the search page link here with their own query string: the
filters (``site``, ``source``, ``since``, ``until``) and, from a search, ``q``.
Every version of each matching article is one line, with the keys of
``archiver show --json`` (``archiver.export_jsonl``), as ``archiver export
--format jsonl`` writes them. Articles come newest first (by first seen), or
best match first for a search; the body is streamed a batch of articles at a
time, so a large archive never sits in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from archiver import export_jsonl
from archiver.records.browse import ArticleFilter, Cursor
from archiver.store import Store
from archiver.web import params
from archiver.web.state import state_of

BATCH = 100
MEDIA_TYPE = "application/x-ndjson"
FILENAME = "archiver-export.jsonl"


def _browse_batch(
    store: Store, filt: ArticleFilter, after: Cursor | None
) -> tuple[str, Cursor | None]:
    found = store.browse(filt, limit=BATCH, after=after)
    lines = "".join(
        export_jsonl.line(r) for r in export_jsonl.rows(store, [a.id for a in found.items])
    )
    return lines, found.older


def _search_batch(store: Store, query: str, filt: ArticleFilter, offset: int) -> tuple[str, bool]:
    found = store.search_filtered(query, filt, limit=BATCH, offset=offset)
    ids = [h.article.id for h in found.hits]
    lines = "".join(export_jsonl.line(r) for r in export_jsonl.rows(store, ids))
    return lines, offset + BATCH < found.total and len(ids) == BATCH


async def _lines(store: Store, filt: ArticleFilter, query: str | None) -> AsyncIterator[bytes]:
    if query is None:
        after: Cursor | None = None
        while True:
            lines, after = await asyncio.to_thread(_browse_batch, store, filt, after)
            yield lines.encode("utf-8")
            if after is None:
                return
    offset, more = 0, True
    while more:
        lines, more = await asyncio.to_thread(_search_batch, store, query, filt, offset)
        yield lines.encode("utf-8")
        offset += BATCH


async def export(request: Request) -> Response:
    filters = params.filters(request.query_params)  # checked before the stream starts
    query = params.text(request.query_params, "q")
    web = state_of(request)
    if query is not None:  # a query the search refuses is a 400 now, not a broken stream
        await web.read(lambda s: s.search_filtered(query, filters.filt, limit=1))
    store = web.store
    headers = {"content-disposition": f'attachment; filename="{FILENAME}"'}
    return StreamingResponse(
        _lines(store, filters.filt, query), media_type=MEDIA_TYPE, headers=headers
    )


routes: list[BaseRoute] = [Route("/export.jsonl", export, name="export_jsonl")]
