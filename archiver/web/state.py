"""What every route shares: settings, services, templates, and ``render``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from archiver import __version__
from archiver.archive import Services
from archiver.browse_json import iso
from archiver.config import Settings
from archiver.errors import ArchiverError
from archiver.store import Store
from archiver.web import markup, security, session

HERE = Path(__file__).parent
T = TypeVar("T")


@dataclass
class WebState:
    settings: Settings
    templates: Jinja2Templates
    services: Services | None = None
    clock: Callable[[], float] = time.time  # Unix seconds: when sessions expire

    @property
    def token(self) -> str | None:
        return self.settings.web.token

    def signed_in(self, request: Request) -> bool:
        """The browser holds an unexpired session signed with the web token."""
        return session.signed_in(request, self.token, now=self.clock())

    @property
    def opened(self) -> Services:
        if self.services is None:
            raise ArchiverError("the web application has not started")
        return self.services

    @property
    def store(self) -> Store:
        return self.opened.store

    async def read(self, work: Callable[[Store], T]) -> T:
        """Run blocking store calls in a worker thread (also used for writes)."""
        store = self.store
        return await asyncio.to_thread(work, store)


def state_of(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping for every template, and undefined names as errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        href=markup.href,
        when=markup.when,
        iso=iso,
        duration=markup.duration,
        published=markup.published,
        web_url=markup.web_url,
        paragraphs=markup.paragraphs,
        lang_tag=markup.lang_tag,
        snippet_html=markup.snippet_html,
        diff_html=markup.diff_html,
        hunk_html=markup.hunk_html,
        app_version=__version__,
    )
    return Jinja2Templates(env=env)


async def render(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> Response:
    """A page; with a web token configured, its forms' CSRF token (and the cookie it is
    bound to, when the browser has none yet) and whether the browser is signed in."""
    web = state_of(request)
    token = web.token
    nonce, fresh = security.csrf_nonce(request)
    full = {
        "nav": "",
        "writable": token is not None,
        "signed_in": token is not None and web.signed_in(request),
        "csrf": security.csrf_value(token, nonce) if token else "",
        "here": request.url.path,
        **context,
    }
    response = web.templates.TemplateResponse(request, name, full, status_code=status)
    if fresh and token:
        security.set_csrf_cookie(request, response, nonce)
    return response
