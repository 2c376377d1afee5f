"""The Fetcher: polite, guarded GETs that obey robots.txt and retry with backoff.

Redirects are followed here rather than by httpx so that every hop gets its own
robots.txt check, politeness slot, scheme check, cookie handling and share of
the deadline, and so that the address guard (in the transport) sees each hop's
connection. Every transport failure becomes a one-line ``FetchError``; every
HTTP status, even 404 or 503, comes back as a ``FetchResult`` for the caller
to judge.

A failed attempt (a refused or broken connection, 429, 500/502/503/504) is
retried after an exponential backoff, slept outside any politeness slot; each
attempt gets the whole ``total_timeout``. A hang (no answer or no headers
within a deadline) and a body still arriving at the deadline (a drip feed) are
not retried here: each try would cost another whole deadline, so a hanging
server costs a caller one deadline, and a later try is the caller's (the
daemon's) to make. Each failure also backs its host off in the gate, so later
requests to a struggling host wait instead of piling on; the gate logs a
host's trouble once when it starts and once when it ends, each retry is DEBUG.
"""

from __future__ import annotations

import functools
import http.cookiejar
import logging
import time
import urllib.request
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from archiver.config import FetchSettings
from archiver.errors import TooManyRedirectsError
from archiver.fetch.body import ACCEPT_ENCODING, read_body
from archiver.fetch.clock import SYSTEM, Clock
from archiver.fetch.exchange import (
    BodyReader,
    Budget,
    exchange,
    hold_location,
    redirect_target,
    start_url,
    tracer,
)
from archiver.fetch.guard import AddressPolicy, GuardedTransport
from archiver.fetch.politeness import Backoff, Gate, PolitenessGate
from archiver.fetch.result import FetchResult
from archiver.fetch.retry import RETRY_STATUSES, Retryable, RetryPolicy, retry_after
from archiver.fetch.robots import ROBOTS_MAX_REDIRECTS, RobotsCache, read_prefix
from archiver.fetch.shared import RobotsShelf

DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ROBOTS_ACCEPT = "text/plain,*/*;q=0.5"

log = logging.getLogger("archiver.fetch")


class _StoreNothing(http.cookiejar.DefaultCookiePolicy):
    """Keeps the shared client's jar empty: cookies belong to one fetch's chain."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


class Fetcher:
    """Fetches pages politely and safely; use one instance per run.

    All state (politeness, host backoff, robots.txt cache) lives in the
    instance. ``transport`` replaces the guarded network layer entirely (tests,
    special setups): the private-network guard then applies only if that
    transport is a ``GuardedTransport``. ``policy`` overrides the address
    policy that ``settings.allow_private_networks`` would otherwise choose.
    ``gate`` replaces the in-process politeness gate and ``robots`` shares
    robots.txt files (both: every worker's, through the store; see
    ``archiver.fetch.shared``).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: AddressPolicy | None = None,
        clock: Clock = SYSTEM,
        gate: Gate | None = None,
        robots: RobotsShelf | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
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
            event_hooks={"response": [hold_location]},  # Location is ours to judge
            trust_env=False,
        )
        backoff = Backoff(base=settings.retry_backoff, cap=settings.host_backoff_max)
        self._gate: Gate = gate or PolitenessGate(
            settings.concurrency, settings.per_host_delay, backoff, clock=clock
        )
        self._retry = RetryPolicy.from_settings(settings)
        self._robots = RobotsCache(settings, self._fetch_robots, clock, robots)
        self._read_page: BodyReader = functools.partial(read_body, limit=settings.max_body_bytes)
        self._read_robots: BodyReader = functools.partial(
            read_prefix, limit=settings.robots_max_bytes
        )

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
        check_robots: bool = True,
    ) -> FetchResult:
        """GET ``url`` following redirects; any final status is returned.

        Raises ``UnsupportedURLError`` for a non-http(s) ``url``,
        ``RobotsDisallowedError`` (without contacting the page) when robots.txt
        forbids it or any redirect hop, and another ``FetchError`` subclass for
        everything that prevents a response. ``check_robots=False`` skips
        robots.txt for this call (it is never checked when
        ``settings.respect_robots`` is off). A 429 or 5xx is retried up to
        ``max_retries`` times and then returned like any other status; a
        refused or broken connection is retried as often, a timeout never.
        """
        start = start_url(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        robots = check_robots and self._settings.respect_robots
        attempt = 0
        while True:
            try:
                result = await self._chain(
                    start,
                    url,
                    headers,
                    max_redirects=self._settings.max_redirects,
                    check_robots=robots,
                    read=self._read_page,
                )
            except Retryable as failure:
                wait = None if failure.later else self._retry.wait(attempt)
                if wait is None:
                    raise failure.error from failure.error.__cause__
                reason = str(failure.error)
            else:
                if result.status not in RETRY_STATUSES:
                    return result
                wait = self._retry.wait(attempt, retry_after(result.headers))
                if wait is None:
                    return result
                reason = f"HTTP {result.status} from {result.final_url}"
            attempt += 1
            log.debug("retry %d for %s in %.1fs: %s", attempt, url, wait, reason)
            await self._clock.sleep(wait)  # outside every slot: other requests go on meanwhile

    async def _fetch_robots(self, robots_url: str) -> FetchResult:
        """One attempt at robots.txt: gated and guarded, never itself robots-checked."""
        try:
            return await self._chain(
                start_url(robots_url),
                robots_url,
                {"Accept": ROBOTS_ACCEPT},
                max_redirects=ROBOTS_MAX_REDIRECTS,
                check_robots=False,
                read=self._read_robots,
            )
        except Retryable as failure:  # unreachable: the robots cache decides what that means
            raise failure.error from failure.error.__cause__

    async def _chain(
        self,
        start: httpx.URL,
        url: str,
        headers: dict[str, str],
        *,
        max_redirects: int,
        check_robots: bool,
        read: BodyReader,
    ) -> FetchResult:
        """One attempt: the redirect chain from ``start``, each hop gated and guarded."""
        current = start
        jar = httpx.Cookies()  # lives for this redirect chain only
        budget = Budget(self._settings.total_timeout)
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
            if check_robots:
                delay = await self._robots.check(current)
            else:
                delay = self._robots.known_delay(current)
            async with self._gate.slot(current.host, delay=delay) as turn:
                request.extensions["trace"] = tracer(turn)
                if fetched_at is None:
                    fetched_at, started = datetime.now(UTC), time.monotonic()
                try:
                    hop = await exchange(
                        self._client,
                        request,
                        jar,
                        budget,
                        requested=url,
                        settings=self._settings,
                        read=read,
                    )
                except Retryable as failure:
                    turn.unanswered(str(failure.error), timed_out=failure.later)
                    raise
                if hop.status in RETRY_STATUSES:
                    turn.refused(hop.status, retry_after(hop.headers))
                else:
                    turn.succeeded()
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
            if len(visited) > max_redirects:
                raise TooManyRedirectsError(f"more than {max_redirects} redirects fetching {url}")
            current = redirect_target(hop.url, hop.location)
