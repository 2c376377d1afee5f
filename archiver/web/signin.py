"""Signing in and out: the web token typed once per browser session (``session.py``).

``GET /login`` is the form; ``POST /login`` checks the origin, the CSRF token
and the web token, sets the session cookie and sends the browser back where
it came from (a path of this site only); ``POST /logout`` clears the cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archiver.web import security, session
from archiver.web.forms import form_fields
from archiver.web.state import render, state_of


def _next(raw: str | None) -> str:
    """Where to go after signing in: a path on this site, else the home page."""
    if not raw or not raw.startswith("/") or raw.startswith(("//", "/\\")) or len(raw) > 2000:
        return "/"
    return raw if raw.isascii() and raw.isprintable() else "/"


async def _page(
    request: Request, nxt: str, error: str | None = None, status: int = 200
) -> Response:
    context = {"nav": "", "next": nxt, "error": error, "disabled_message": security.DISABLED}
    return await render(request, "login.html", context, status)


async def login_page(request: Request) -> Response:
    return await _page(request, _next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    fields = await form_fields(request)
    web = state_of(request)
    nxt = _next(fields.get("next"))
    try:
        security.check_post(request, fields, web.token)
    except security.Forbidden as exc:
        return await _page(request, nxt, str(exc), 403)
    if web.token is None or not security.token_matches(web.token, fields.get("token")):
        return await _page(request, nxt, "wrong web token", 403)
    response = RedirectResponse(nxt, status_code=303)
    session.set_cookie(request, response, session.new_value(web.token, now=web.clock()))
    return response


async def logout(request: Request) -> Response:
    fields = await form_fields(request)
    try:
        security.check_post(request, fields, state_of(request).token)
    except security.Forbidden as exc:
        return await _page(request, "/", str(exc), 403)
    response = RedirectResponse("/", status_code=303)
    session.clear_cookie(request, response)
    return response


routes: list[BaseRoute] = [
    Route("/login", login_page, methods=["GET"], name="login_page"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
