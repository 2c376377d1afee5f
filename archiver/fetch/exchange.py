"""One HTTP request and its response, and the helpers around it.

``exchange`` sends one request within what is left of a fetch's deadline and
reads the body (unless the response redirects). Every transport failure
becomes a one-line ``FetchError``; failures worth retrying (refused or broken
connections, and timeouts before the response headers, which are retried only
later) come wrapped in ``Retryable`` so the Fetcher can tell them from
permanent ones (blocked address, oversized, undecodable or drip-fed body).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from archiver.config import FetchSettings
from archiver.errors import BlockedAddressError, FetchError, FetchTimeoutError, UnsupportedURLError
from archiver.fetch.politeness import Turn
from archiver.fetch.retry import Retryable

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SCHEMES = ("http", "https")

BodyReader = Callable[[httpx.Response], Awaitable[bytes]]  # the body, capped as it sees fit


@dataclass(slots=True)
class Budget:
    """Seconds of network time left for one attempt (politeness waits are free)."""

    total: float
    spent: float = 0.0

    def remaining(self) -> float:
        return self.total - self.spent


@dataclass(frozen=True, slots=True)
class Hop:
    url: httpx.URL
    status: int
    headers: dict[str, str]
    body: bytes
    location: str | None  # set when this response is a redirect to follow


def short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def start_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # decodes an IDNA host: a broken A-label fails only here
    except (httpx.InvalidURL, ValueError) as exc:  # idna's errors are ValueErrors
        raise UnsupportedURLError(f"invalid URL {short(url)!r}: {short(str(exc))}") from exc
    if parsed.scheme not in SCHEMES:
        what = f"scheme '{parsed.scheme}'" if parsed.scheme else "no scheme"
        raise UnsupportedURLError(f"cannot fetch {short(url)!r}: {what}, need http or https")
    if not host:
        raise UnsupportedURLError(f"cannot fetch {short(url)!r}: no host")
    return parsed


def redirect_target(base: httpx.URL, location: str) -> httpx.URL:
    try:
        target = base.join(location.strip())
        host = target.host  # decodes an IDNA host: a broken A-label fails only here
    except (httpx.InvalidURL, ValueError):  # idna's errors are ValueErrors
        raise FetchError(f"invalid redirect location {short(location)!r} from {base}") from None
    if target.scheme not in SCHEMES:
        raise FetchError(f"redirect to unsupported scheme '{target.scheme}' from {base}")
    if not host:
        raise FetchError(f"redirect to {short(location)!r} without a host from {base}")
    return target


_LOCATION = "archiver.location"  # response extension holding the Location header


async def hold_location(response: httpx.Response) -> None:
    """An httpx response hook: move ``Location`` out of httpx's sight.

    Even with ``follow_redirects=False`` httpx parses a redirect's Location to
    offer ``next_request``, and fails inside ``send`` on ``data:`` or
    ``javascript:`` targets (an obscure InvalidURL) or on unparsable ones (a
    retried "malformed response"). Taken out here, every Location is judged by
    ``redirect_target`` instead, with one clear, final error.
    """
    if "location" in response.headers:
        location = response.headers["location"]
        del response.headers["location"]
        response.extensions = {**response.extensions, _LOCATION: location}


def _location(response: httpx.Response) -> str | None:
    value = response.extensions.get(_LOCATION, response.headers.get("location"))
    return value if isinstance(value, str) else None


def _headers(response: httpx.Response) -> dict[str, str]:
    """Lower-case names (httpx gives them so); repeated headers joined with ', '."""
    merged: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    location = _location(response)
    if location is not None:
        merged["location"] = location
    return merged


def tracer(turn: Turn) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore ``trace`` hook telling the gate when the request really went out
    (once its headers are written: the next start is spaced from no earlier moment)."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_headers.complete"):
            await turn.mark_sent()

    return trace


def _caused_by_tls(exc: BaseException) -> bool:
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, ssl.SSLError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _translate(exc: httpx.HTTPError, url: httpx.URL, settings: FetchSettings) -> FetchError:
    """One line a person can act on, instead of an httpx exception."""
    port = url.port or (443 if url.scheme == "https" else 80)
    where = f"{url.host}:{port}"
    detail = short(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeoutError(
            f"connecting to {where} timed out after {settings.connect_timeout:g}s"
        )
    if isinstance(exc, httpx.ReadTimeout):
        return FetchTimeoutError(f"{where} sent nothing for {settings.read_timeout:g}s")
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeoutError(f"request to {where} timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        if _caused_by_tls(exc):
            return FetchError(f"TLS handshake with {where} failed: {detail}")
        return FetchError(f"cannot connect to {where}: {detail}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"{where} sent a malformed HTTP response: {detail}")
    if isinstance(exc, httpx.NetworkError):
        return FetchError(f"connection to {where} failed: {detail}")
    return FetchError(f"fetching {url} failed: {detail}")


def _retryable(error: FetchError, cause: BaseException | None) -> Retryable:
    error.__cause__ = cause
    return Retryable(error, later=isinstance(error, FetchTimeoutError))


async def exchange(
    client: httpx.AsyncClient,
    request: httpx.Request,
    jar: httpx.Cookies,
    budget: Budget,
    *,
    requested: str,
    settings: FetchSettings,
    read: BodyReader,
) -> Hop:
    """Send one request and read its body (unless it redirects) within the budget."""
    timed_out = FetchTimeoutError(
        f"timed out after {settings.total_timeout:g}s fetching {requested}"
    )
    remaining = budget.remaining()
    if remaining <= 0:
        raise Retryable(timed_out, later=True)
    begun = time.monotonic()
    answered = False
    try:
        async with asyncio.timeout(remaining):
            response = await client.send(request, stream=True)
            answered = True
            try:
                jar.extract_cookies(response)
                status = response.status_code
                location = _location(response)
                if status in REDIRECT_STATUSES and location is not None:
                    return Hop(response.url, status, _headers(response), b"", location)
                body = await read(response)
                return Hop(response.url, status, _headers(response), body, None)
            finally:
                await response.aclose()
    except TimeoutError:
        if answered:
            # The headers came but the body did not finish in time: a drip feed
            # (slow-loris) gets the same treatment on every attempt, so retrying
            # would only hold the caller (max_retries + 1) times the deadline.
            raise FetchTimeoutError(f"{timed_out} (the body was still arriving)") from None
        raise Retryable(timed_out, later=True) from None  # silence: a hang
    except BlockedAddressError:
        raise
    except FetchError as exc:
        if answered:  # the body was too large or undecodable: trying again won't help
            raise
        # no connection (refused, unresolvable, ...); a DNS timeout is a hang too
        raise Retryable(exc, later=isinstance(exc, FetchTimeoutError)) from None
    except httpx.TransportError as exc:
        raise _retryable(_translate(exc, request.url, settings), exc) from None
    except httpx.HTTPError as exc:
        raise _translate(exc, request.url, settings) from exc
    except (httpx.InvalidURL, httpx.CookieConflict) as exc:
        raise FetchError(f"fetching {request.url} failed: {short(str(exc))}") from exc
    except OSError as exc:
        reason = exc.strerror or short(str(exc)) or type(exc).__name__
        error = FetchError(f"network error fetching {request.url}: {reason}")
        raise _retryable(error, exc) from None
    finally:
        budget.spent += time.monotonic() - begun
