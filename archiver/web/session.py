"""The browser session: the web token typed once, then a signed, expiring cookie.

Signing in (``/login``) exchanges the web token for the cookie
``archiver_session``: ``<expires>.<nonce>.<signature>``, where the signature
is HMAC-SHA256 keyed with the web token over the expiry time and a random
nonce. It is ``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS and
lasts ``SESSION_SECONDS``; the server keeps no session state, so changing
the web token ends every session at once. Form posts still need their CSRF
token (``security.py``); the session only replaces the typed password field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "archiver_session"
SESSION_SECONDS = 12 * 3600
"""How long a sign-in lasts (then the token is asked again)."""
MAX_VALUE = 200


def _signature(token: str, payload: str) -> str:
    return hmac.new(token.encode(), b"session:" + payload.encode(), hashlib.sha256).hexdigest()


def new_value(token: str, *, now: float, lifetime: float = SESSION_SECONDS) -> str:
    """A fresh session cookie value, valid until ``now + lifetime`` (Unix seconds)."""
    payload = f"{int(now + lifetime)}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_signature(token, payload)}"


def valid(token: str | None, value: str | None, *, now: float) -> bool:
    """Whether ``value`` is a session this token signed and it has not expired."""
    if not token or not value or len(value) > MAX_VALUE or not value.isascii():
        return False
    expires, _, rest = value.partition(".")
    nonce, _, signature = rest.partition(".")
    if not (expires.isdigit() and nonce and signature):
        return False
    expected = _signature(token, f"{expires}.{nonce}")
    return hmac.compare_digest(expected.encode(), signature.encode()) and int(expires) > now


def signed_in(request: Request, token: str | None, *, now: float) -> bool:
    return valid(token, request.cookies.get(SESSION_COOKIE), now=now)


def set_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
