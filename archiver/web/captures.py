"""Captures on the web: the API list, and the raw snapshot view of what was fetched.

``/captures/{id}/raw`` serves the stored body exactly as fetched, as HTML, so a
person can see the page the archive saw. It is hostile content on our origin,
so it goes out with ``security.SANDBOX_CSP``: ``sandbox`` (an opaque origin: no
script runs, no form posts, no cookies or storage of ours) and
``default-src 'none'`` (nothing loads: no images, styles, frames or fonts,
from anywhere), plus ``nosniff`` and the framing bans every response has.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from archiver.capture_json import captures_json
from archiver.errors import NotFoundError
from archiver.records.articles import ArticleView, CaptureView
from archiver.store import Store
from archiver.web import load
from archiver.web.capture_schemas import Captures
from archiver.web.security import SANDBOX_CSP
from archiver.web.state import state_of

LIMIT = 100


def listed(store: Store, article_id: int) -> tuple[ArticleView, list[CaptureView]]:
    if not 0 < article_id <= load.MAX_ID:
        raise NotFoundError(f"no archived article matches {article_id}")
    return store.article(article_id), store.captures(article_id, limit=LIMIT)


async def api_captures(request: Request) -> Response:
    """The article's captures, newest first (at most 100)."""
    article_id: int = request.path_params["article_id"]
    article, found = await state_of(request).read(lambda s: listed(s, article_id))
    body = Captures.model_validate(captures_json(article, found))
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


def _snapshot(store: Store, capture_id: int) -> tuple[CaptureView, bytes]:
    capture = store.capture(capture_id)
    if capture.body_hash is None:
        raise NotFoundError(f"capture {capture_id} stored no body ({capture.error or 'none'})")
    return capture, store.body(capture.body_hash)


async def raw(request: Request) -> Response:
    capture_id: int = request.path_params["capture_id"]
    capture, body = await state_of(request).read(lambda s: _snapshot(s, capture_id))
    charset = f"; charset={capture.charset}" if capture.charset else ""
    headers = {
        "content-security-policy": SANDBOX_CSP,
        "content-disposition": f'inline; filename="capture-{capture.id}.html"',
        "cache-control": "private, max-age=3600",
    }
    return Response(body, headers=headers, media_type=f"text/html{charset}")
