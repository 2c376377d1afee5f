"""Response headers, the web token, and CSRF protection for form posts.

* Every response carries a strict Content-Security-Policy (no script at all,
  stylesheets only from this origin, no inline styles), ``nosniff``,
  ``Referrer-Policy: same-origin`` (archive URLs never leak to the sites
  linked from it; ``no-referrer`` would also make browsers send
  ``Origin: null`` on our own form posts) and framing bans
  (``X-Frame-Options`` and ``frame-ancestors``).
* State-changing routes need ``web.token``: the API as
  ``Authorization: Bearer <token>``, forms through a signed session cookie
  the token was exchanged for once (``session.py``; a client that does not
  sign in may still send it as the form field ``token``). Tokens
  are compared in constant time; an API write without bearer credentials is
  401, one with a wrong token 403. Without a configured token those routes
  are disabled (403).
* Form posts are also CSRF-protected: a random nonce lives in an HttpOnly,
  SameSite=Strict cookie and the form carries HMAC(web token, nonce), so a
  form token is bound both to this browser and to the configured secret; the
  ``Origin`` / ``Sec-Fetch-Site`` headers, when the browser sends them, must say
  the post comes from this origin.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("archiver.web")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
# The raw snapshot view (archiver.web.captures): archived pages, hostile content,
# run no script and load nothing; the one policy a route may set instead of CSP.
SANDBOX_CSP = (
    "sandbox; default-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
CSRF_COOKIE = "archiver_csrf"
CSRF_FIELD = "csrf"
TOKEN_FIELD = "token"  # noqa: S105  (a form field name, not a secret)
DISABLED = (
    "Changes through the web are disabled: no web token is configured. Set `token` under"
    " `[web]` in config/archiver.toml (or the ARCHIVER_WEB__TOKEN environment variable,"
    " 16 characters or more) and restart the server."
)

SIGN_IN = "not signed in, or the session has expired: sign in with the web token and retry"

ErrorPage = Callable[[Scope, int, str], Awaitable[Response]]


class Forbidden(Exception):
    """A state-changing request with a wrong token, or from another origin (403)."""


class Unauthorized(Exception):
    """An API write without ``Authorization: Bearer ...`` credentials (401)."""


CHALLENGE = 'Bearer realm="archiver"'  # WWW-Authenticate of every 401


class Guard:
    """ASGI middleware: security headers on every response, and no traceback ever.

    An exception escaping the app becomes ``error_page(scope, 500, ...)`` (logged
    with its traceback here, never sent), so even unexpected failures carry the
    headers above.
    """

    def __init__(self, app: ASGIApp, error_page: ErrorPage) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name == "content-security-policy" and headers.get(name) == SANDBOX_CSP:
                        continue  # stricter than CSP: kept
                    headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except ClientDisconnect:  # gone while its request was read: no one to answer
            log.debug("client left during %s %s", scope["method"], scope["path"])
        except Exception:
            log.exception("unhandled error serving %s %s", scope["method"], scope["path"])
            if started:
                raise
            message = "Internal error: see the server log."
            try:
                response = await self.error_page(scope, 500, message)
            except Exception:
                log.exception("the error page failed too")
                response = PlainTextResponse(message, status_code=500)
            await response(scope, receive, send_secured)


def token_matches(configured: str | None, given: str | None) -> bool:
    """Constant-time comparison; never true when no token is configured."""
    if not configured or not given:
        return False
    return hmac.compare_digest(configured.encode(), given.encode())


def require_bearer(request: Request, configured: str | None) -> None:
    """API writes: ``Authorization: Bearer <web token>``.

    No bearer credentials at all is 401 (with a ``WWW-Authenticate`` challenge),
    a wrong token 403; with no token configured writes are off for everyone (403).
    """
    if not configured:
        raise Forbidden(DISABLED)
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("send the web token as 'Authorization: Bearer <web token>'")
    if not token_matches(configured, given.strip()):
        raise Forbidden("wrong web token in 'Authorization: Bearer <web token>'")


def csrf_value(configured: str, nonce: str) -> str:
    return hmac.new(configured.encode(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_nonce(request: Request) -> tuple[str, bool]:
    """This browser's CSRF nonce, and whether it is new (then ``set_csrf_cookie``)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(nonce) <= 100 and nonce.isascii():
        return nonce, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site or origin."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser, or an old one: the CSRF token still has to match
    host = request.headers.get("host", "")
    return origin == f"{request.url.scheme}://{host}"


def check_post(request: Request, form: dict[str, str], configured: str | None) -> None:
    """Every form post (signing in too): token configured, same origin, CSRF token bound to
    the cookie."""
    if not configured:
        raise Forbidden(DISABLED)
    if not same_origin(request):
        raise Forbidden("cross-origin form posts are refused")
    nonce = request.cookies.get(CSRF_COOKIE, "")
    expected = csrf_value(configured, nonce) if nonce else ""
    if not nonce or not hmac.compare_digest(expected.encode(), form.get(CSRF_FIELD, "").encode()):
        raise Forbidden("the form has expired or did not come from this site: reload and retry")


def check_form(
    request: Request, form: dict[str, str], configured: str | None, *, signed_in: bool = False
) -> None:
    """Form posts that change something: ``check_post``, then a signed-in session
    (``session.py``) or, from a client that does not sign in, the web token as a field."""
    check_post(request, form, configured)
    if signed_in:
        return
    if TOKEN_FIELD not in form:
        raise Forbidden(SIGN_IN)
    if not token_matches(configured, form.get(TOKEN_FIELD)):
        raise Forbidden("wrong web token")
