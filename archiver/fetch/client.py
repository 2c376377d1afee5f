"""The Fetcher: one polite, guarded GET per call, redirects followed by hand.

Redirects are followed here rather than by httpx so that every hop gets its own
politeness slot, scheme check, cookie handling and share of the deadline, and so
that the address guard (in the transport) sees each hop's connection. Every
transport failure becomes a one-line ``FetchError``; every HTTP status, even
404 or 503, comes back as a ``FetchResult`` for the caller to judge. Retries,
backoff and robots.txt can wrap ``_exchange`` / ``fetch`` later.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import ssl
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx

from archiver.config import FetchSettings
from archiver.errors import (
    FetchError,
    FetchTimeoutError,
    TooManyRedirectsError,
    UnsupportedURLError,
)
from archiver.fetch.body import ACCEPT_ENCODING, read_body
from archiver.fetch.guard import AddressPolicy, GuardedTransport
from archiver.fetch.politeness import HostTurn, PolitenessGate
from archiver.fetch.result import FetchResult

DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SCHEMES = ("http", "https")


class _StoreNothing(http.cookiejar.DefaultCookiePolicy):
    """Keeps the shared client's jar empty: cookies belong to one fetch's chain."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


@dataclass(slots=True)
class _Budget:
    """Seconds of network time left for one fetch (politeness waits are free)."""

    total: float
    spent: float = 0.0

    def remaining(self) -> float:
        return self.total - self.spent


@dataclass(frozen=True, slots=True)
class _Hop:
    url: httpx.URL
    status: int
    headers: dict[str, str]
    body: bytes
    location: str | None  # set when this response is a redirect to follow


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _start_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsupportedURLError(f"invalid URL {_short(url)!r}: {_short(str(exc))}") from exc
    if parsed.scheme not in _SCHEMES:
        what = f"scheme '{parsed.scheme}'" if parsed.scheme else "no scheme"
        raise UnsupportedURLError(f"cannot fetch {_short(url)!r}: {what}, need http or https")
    if not parsed.host:
        raise UnsupportedURLError(f"cannot fetch {_short(url)!r}: no host")
    return parsed


def _redirect_target(base: httpx.URL, location: str) -> httpx.URL:
    try:
        target = base.join(location.strip())
    except httpx.InvalidURL:
        raise FetchError(f"invalid redirect location {_short(location)!r} from {base}") from None
    if target.scheme not in _SCHEMES:
        raise FetchError(f"redirect to unsupported scheme '{target.scheme}' from {base}")
    if not target.host:
        raise FetchError(f"redirect to {_short(location)!r} without a host from {base}")
    return target


def _headers(response: httpx.Response) -> dict[str, str]:
    """Lower-case names (httpx gives them so); repeated headers joined with ', '."""
    merged: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _tracer(turn: HostTurn) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore ``trace`` hook telling the gate when the request really went out."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            turn.mark_sent()

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
    detail = _short(str(exc)) or type(exc).__name__
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


class Fetcher:
    """Fetches pages politely and safely; use one instance per run.

    ``transport`` replaces the guarded network layer entirely (tests, special
    setups): the private-network guard then applies only if that transport is
    a ``GuardedTransport``. ``policy`` overrides the address policy that
    ``settings.allow_private_networks`` would otherwise choose.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        self._settings = settings
        if policy is None:
            policy = (
                AddressPolicy.allow_all() if settings.allow_private_networks else AddressPolicy()
            )
        limits = httpx.Limits(
            max_connections=settings.concurrency,
            max_keepalive_connections=settings.concurrency,
        )
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(policy, limits=limits),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            cookies=http.cookiejar.CookieJar(policy=_StoreNothing()),
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
        )
        self._gate = PolitenessGate(settings.concurrency, settings.per_host_delay)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = DEFAULT_ACCEPT,
    ) -> FetchResult:
        """GET ``url`` following redirects; any final status is returned.

        Raises ``UnsupportedURLError`` for a non-http(s) ``url`` and a
        ``FetchError`` subclass for everything that prevents a response.
        """
        current = _start_url(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        jar = httpx.Cookies()  # lives for this redirect chain only
        budget = _Budget(self._settings.total_timeout)
        visited: list[str] = []
        seen: set[tuple[str, str]] = set()
        fetched_at: datetime | None = None
        started = 0.0
        while True:
            request = self._client.build_request("GET", current, headers=headers)
            jar.set_cookie_header(request)
            # The same URL with the same cookies can only get the same answer.
            state = (str(request.url), request.headers.get("cookie", ""))
            if state in seen:
                raise TooManyRedirectsError(f"redirect loop at {current} fetching {url}")
            seen.add(state)
            async with self._gate.slot(current.host) as turn:
                request.extensions["trace"] = _tracer(turn)
                if fetched_at is None:
                    fetched_at, started = datetime.now(UTC), time.monotonic()
                hop = await self._exchange(request, jar, budget, url)
            if hop.location is None:
                return FetchResult(
                    requested_url=url,
                    final_url=str(hop.url),
                    status=hop.status,
                    headers=hop.headers,
                    body=hop.body,
                    fetched_at=fetched_at,
                    elapsed=time.monotonic() - started,
                    redirects=tuple(visited),
                )
            visited.append(str(hop.url))
            if len(visited) > self._settings.max_redirects:
                raise TooManyRedirectsError(
                    f"more than {self._settings.max_redirects} redirects fetching {url}"
                )
            current = _redirect_target(hop.url, hop.location)

    async def _exchange(
        self, request: httpx.Request, jar: httpx.Cookies, budget: _Budget, requested: str
    ) -> _Hop:
        """Send one request and read its body (unless it redirects) within the budget."""
        timed_out = FetchTimeoutError(
            f"timed out after {self._settings.total_timeout:g}s fetching {requested}"
        )
        remaining = budget.remaining()
        if remaining <= 0:
            raise timed_out
        begun = time.monotonic()
        try:
            async with asyncio.timeout(remaining):
                response = await self._client.send(request, stream=True)
                try:
                    jar.extract_cookies(response)
                    status = response.status_code
                    location = response.headers.get("location")
                    if status in REDIRECT_STATUSES and location is not None:
                        return _Hop(response.url, status, _headers(response), b"", location)
                    body = await read_body(response, self._settings.max_body_bytes)
                    return _Hop(response.url, status, _headers(response), body, None)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise timed_out from None
        except FetchError:
            raise
        except httpx.HTTPError as exc:
            raise _translate(exc, request.url, self._settings) from exc
        except (httpx.InvalidURL, httpx.CookieConflict) as exc:
            raise FetchError(f"fetching {request.url} failed: {_short(str(exc))}") from exc
        except OSError as exc:
            reason = exc.strerror or _short(str(exc)) or type(exc).__name__
            raise FetchError(f"network error fetching {request.url}: {reason}") from exc
        finally:
            budget.spent += time.monotonic() - begun
