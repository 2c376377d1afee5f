"""The web application: server-rendered pages and a JSON API over one Store.

``create_app(settings)`` opens its own services (fetcher, extractor pool,
store) for its lifetime; ``create_app(settings, services=...)`` borrows open
ones (``archiver run --serve`` shares the daemon's). Pages work without
JavaScript; the API lives under ``/api/`` and is described at
``/api/openapi.json``. Debug is always off: errors are pages or JSON with a
message, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from archiver.archive import Services, open_services
from archiver.config import Settings
from archiver.errors import ArchiverError, ConflictError, InputError, NotFoundError
from archiver.web import api, api_actions, downloads, feeds, pages, signin
from archiver.web.security import CHALLENGE, Forbidden, Guard, Unauthorized
from archiver.web.state import HERE, WebState, make_templates, render

log = logging.getLogger("archiver.web")


def _wants_json(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return path == "/api" or path.startswith("/api/")


async def error_response(
    scope: Scope, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The error as JSON under /api/, else as a page."""
    if _wants_json(scope):
        body = {"error": message, "status": status}
        return JSONResponse(body, status_code=status, headers=headers)
    context = {"status": status, "message": message}
    response = await render(Request(scope), "error.html", context, status)
    response.headers.update(headers or {})
    return response


def _handler(status: int, fixed: str | None = None) -> Callable[..., Any]:
    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            message = {404: "Not found.", 405: "Method not allowed."}.get(
                exc.status_code, str(exc.detail)
            )
            # exc.headers: Allow of a 405 (RFC 9110 requires it), ...
            return await error_response(request.scope, exc.status_code, message, exc.headers)
        if fixed is not None:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        headers = {"www-authenticate": CHALLENGE} if status == 401 else None
        return await error_response(request.scope, status, fixed or str(exc), headers)

    return handle


def create_app(settings: Settings, *, services: Services | None = None) -> Starlette:
    web = WebState(settings, make_templates(), services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if web.services is not None:
            yield
            return
        async with open_services(settings) as opened:
            web.services = opened
            try:
                yield
            finally:
                web.services = None

    routes = [
        *pages.routes,
        *signin.routes,
        *feeds.routes,
        *downloads.routes,
        Mount("/api", routes=[*api_actions.routes, *api.routes]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=[Middleware(Guard, error_page=error_response)],
        exception_handlers={
            HTTPException: _handler(0),
            NotFoundError: _handler(404),
            InputError: _handler(400),
            ConflictError: _handler(409),
            Unauthorized: _handler(401),
            Forbidden: _handler(403),
            # Other archiver errors (database trouble...) may carry internals: logged only.
            ArchiverError: _handler(503, "The archive is unavailable right now; try again."),
        },
        lifespan=lifespan,
    )
    app.state.web = web
    return app
