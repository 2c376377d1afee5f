"""The pages that change something: archive a URL now, add a source, pause or resume one.

Every post needs a signed-in session (the web token typed once, ``signin.py``),
a CSRF token bound to the browser's cookie, and (when the browser says) the
same origin; see ``security.py``. Without ``web.token`` the forms are replaced
by a note on how to enable them, and posts answer 403.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archiver.errors import InputError, NotFoundError
from archiver.sources.specs import KINDS
from archiver.web import load, security
from archiver.web.state import render, state_of

MAX_FIELDS = 20
MAX_FIELD_BYTES = 16 * 1024


async def _page(
    request: Request, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    web = state_of(request)
    names = [s.name for s in await web.read(lambda s: s.sources())]
    full = {
        "nav": "add",
        "kinds": KINDS,
        "source_names": names,
        "disabled_message": security.DISABLED,
        "message": None,
        "error": None,
        "result": None,
        "form": {},
        **(context or {}),
    }
    return await render(request, "add.html", full, status)


async def add_page(request: Request) -> Response:
    return await _page(request)


async def form_fields(request: Request) -> dict[str, str]:
    async with request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES) as f:
        return {k: v for k, v in f.items() if isinstance(v, str)}


async def _guarded(request: Request) -> tuple[dict[str, str], Response | None]:
    """The posted fields, or the page to answer with when the post is refused."""
    fields = await form_fields(request)
    web = state_of(request)
    try:
        security.check_form(request, fields, web.token, signed_in=web.signed_in(request))
    except security.Forbidden as exc:
        return fields, await _page(request, {"error": str(exc), "form": _echo(fields)}, 403)
    return fields, None


def _echo(fields: dict[str, str]) -> dict[str, str]:
    """What to put back into the form after an error (never the secrets)."""
    return {k: v for k, v in fields.items() if k not in (security.TOKEN_FIELD, security.CSRF_FIELD)}


async def _done(
    request: Request, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """The page after an authorized post: its forms shown (a client that sent the token as a
    field, not signed in, still gets the form back with what it typed)."""
    return await _page(request, {"signed_in": True, **(context or {})}, status)


async def add_url(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    web = state_of(request)
    try:
        result = await load.add_url(web.opened, fields.get("url", ""))
    except InputError as exc:
        return await _done(request, {"error": str(exc), "form": _echo(fields)}, 400)
    if result.outcome == "error":
        context = {"error": f"{result.url}: {result.error}", "form": _echo(fields)}
        bad_url = result.failure is not None and issubclass(result.failure, InputError)
        return await _done(request, context, 400 if bad_url else 502)
    return await _done(request, {"result": result})


async def add_source(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    try:
        added = await state_of(request).read(lambda s: load.add_source(s, fields))
    except InputError as exc:
        return await _done(request, {"error": str(exc), "form": _echo(fields)}, 400)
    return await _done(request, {"message": f"Added source {added.name} ({added.kind})."})


async def source_state(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    name, action = fields.get("name", ""), fields.get("action", "")
    if action not in ("pause", "resume"):
        return await _done(request, {"error": "action: pause or resume"}, 400)
    try:
        changed = await state_of(request).read(
            lambda s: load.set_paused(s, name, action == "pause")
        )
    except (InputError, NotFoundError) as exc:
        return await _done(request, {"error": str(exc)}, 404)
    state = "paused" if changed.paused else "resumed"
    return await _done(request, {"message": f"Source {changed.name} {state}."})


routes: list[BaseRoute] = [
    Route("/add", add_page, methods=["GET"], name="add"),
    Route("/add/url", add_url, methods=["POST"], name="add_url"),
    Route("/add/source", add_source, methods=["POST"], name="add_source"),
    Route("/sources/state", source_state, methods=["POST"], name="source_state"),
]
