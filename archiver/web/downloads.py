"""``/export.jsonl`` and ``/export.csv``: what the home or search page shows, filters applied.

The home page and the search page link here with their own query string: the
filters (``site``, ``source``, ``since``, ``until``, ``author``, ``language``),
the order (``sort``, ``order``) and, from a search, ``q``. In the JSONL
export every version of each matching article is one line, with the keys of
``archiver show --json`` (``archiver.export_jsonl``), as ``archiver export
--format jsonl`` writes them; the CSV export is one row per article, with the
keys of ``archiver list --json`` as its header. Articles come in the page's
order (newest first by first seen unless sorted otherwise), or best match
first for a search; the body is streamed a batch of articles at a time, so a
large archive never sits in memory.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from archiver import export_jsonl
from archiver.browse_json import summary_json
from archiver.records.articles import ArticleSummary
from archiver.records.browse import ArticleFilter, Cursor, Sort
from archiver.store import Store
from archiver.web import params
from archiver.web.state import state_of

BATCH = 100
MEDIA_TYPE = "application/x-ndjson"
FILENAME = "archiver-export.jsonl"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_FILENAME = "archiver-export.csv"
CSV_COLUMNS = ("article_id", "url", "site", "title", "published", "versions", "first_seen",
               "last_checked")  # fmt: skip
Lines = Callable[[Store, Sequence[ArticleSummary]], str]


def jsonl_lines(store: Store, articles: Sequence[ArticleSummary]) -> str:
    """Every version of each article, one JSON line each."""
    rows = export_jsonl.rows(store, [a.id for a in articles])
    return "".join(export_jsonl.line(r) for r in rows)


def csv_lines(store: Store, articles: Sequence[ArticleSummary]) -> str:
    """One CSV row per article (no header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for a in articles:
        row = summary_json(a)
        writer.writerow(["" if row[k] is None else row[k] for k in CSV_COLUMNS])
    return out.getvalue()


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS)
    return out.getvalue()


def _browse_batch(
    store: Store, filt: ArticleFilter, after: Cursor | None, sort: Sort, lines: Lines
) -> tuple[str, Cursor | None]:
    found = store.browse(filt, limit=BATCH, after=after, sort=sort)
    return lines(store, found.items), found.older


def _search_batch(
    store: Store, query: str, filt: ArticleFilter, offset: int, lines: Lines
) -> tuple[str, bool]:
    found = store.search_filtered(query, filt, limit=BATCH, offset=offset)
    articles = [h.article for h in found.hits]
    return lines(store, articles), offset + BATCH < found.total and len(articles) == BATCH


async def _lines(
    store: Store, filt: ArticleFilter, query: str | None, sort: Sort, lines: Lines
) -> AsyncIterator[bytes]:
    if query is None:
        after: Cursor | None = None
        while True:
            chunk, after = await asyncio.to_thread(_browse_batch, store, filt, after, sort, lines)
            yield chunk.encode("utf-8")
            if after is None:
                return
    offset, more = 0, True
    while more:
        chunk, more = await asyncio.to_thread(_search_batch, store, query, filt, offset, lines)
        yield chunk.encode("utf-8")
        offset += BATCH


async def _with_header(header: str, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield header.encode("utf-8")
    async for chunk in body:
        yield chunk


async def _export(request: Request) -> tuple[Store, ArticleFilter, str | None, Sort]:
    """The view's parameters, checked before the stream starts (then a 400 is still possible)."""
    filters = params.filters(request.query_params)
    sort = params.sort(request.query_params)
    query = params.text(request.query_params, "q")
    web = state_of(request)
    if query is not None:  # a query the search refuses is a 400 now, not a broken stream
        await web.read(lambda s: s.search_filtered(query, filters.filt, limit=1))
    return web.store, filters.filt, query, sort


async def export(request: Request) -> Response:
    store, filt, query, sort = await _export(request)
    headers = {"content-disposition": f'attachment; filename="{FILENAME}"'}
    body = _lines(store, filt, query, sort, jsonl_lines)
    return StreamingResponse(body, media_type=MEDIA_TYPE, headers=headers)


async def export_csv(request: Request) -> Response:
    store, filt, query, sort = await _export(request)
    headers = {"content-disposition": f'attachment; filename="{CSV_FILENAME}"'}
    body = _with_header(csv_header(), _lines(store, filt, query, sort, csv_lines))
    return StreamingResponse(body, media_type=CSV_TYPE, headers=headers)


routes: list[BaseRoute] = [
    Route("/export.jsonl", export, name="export_jsonl"),
    Route("/export.csv", export_csv, name="export_csv"),
]
