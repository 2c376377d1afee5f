"""robots.txt (RFC 9309), fetched politely and cached per origin.

The file is fetched through the Fetcher itself (same address guard, same
per-host gate, so it counts as a request to that host), following up to five
redirects, and only its first ``robots_max_bytes`` (500 KiB) are read. What the
answer means:

* 2xx: the rules are parsed with protego, the group picked by exact match of
  our product token (the leading letters, ``_`` and ``-`` of ``user_agent``),
  and cached ``robots_cache_seconds``;
* 4xx other than 429, or more than five redirects: "unavailable", everything
  is allowed (cached as long);
* 429, 5xx, no answer (connection error, timeout): "unreachable", everything is
  disallowed for ``robots_error_seconds``, after which the file is fetched anew.

A blocked address is not cached and re-raised: the page would be refused too,
and that is the error a person needs to see.

Each Fetcher caches what it learned in memory. Given a ``RobotsShelf`` (the
store, with ``daemon.queue = "procrastinate"``), it also shares the files with
every other worker: the first one to need an origin's robots.txt takes a lease
and fetches it, the others wait for its stored copy (asking every
``SHELF_POLL`` seconds) and use it for the rest of its lifetime, so N workers
fetch it once. A lease whose holder died runs out after twice ``total_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import cast

import httpx
from protego import Protego

from archiver.config import FetchSettings
from archiver.errors import (
    BlockedAddressError,
    FetchError,
    RobotsDisallowedError,
    StoreError,
    TooManyRedirectsError,
)
from archiver.fetch.body import DECODE_ERRORS, _decoders, _flushed, _through
from archiver.fetch.clock import SYSTEM, Clock
from archiver.fetch.exchange import short
from archiver.fetch.result import FetchResult
from archiver.fetch.shared import RobotsShelf
from archiver.records.hosts import StoredRobots

ROBOTS_MAX_BYTES = 500 * 1024  # default of fetch.robots_max_bytes (RFC 9309 2.5: >= 500 KiB)
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2
_MAX_ORIGINS = 1024  # cached robots.txt files kept at most (least recently used go first)
_PARSE_IN_THREAD = 64 * 1024  # bigger files are parsed off the event loop
SHELF_POLL = 0.1  # seconds between looks at the shelf while another worker fetches the file

log = logging.getLogger("archiver.fetch")

RobotsLoader = Callable[[str], Awaitable[FetchResult]]


def origin_of(url: httpx.URL) -> str:
    """``scheme://host[:port]``: what one robots.txt governs."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


async def read_prefix(response: httpx.Response, limit: int = ROBOTS_MAX_BYTES) -> bytes:
    """The first ``limit`` decoded bytes of the body; the rest is never downloaded."""
    if response.is_stream_consumed:
        return response.content[:limit]
    decoders = _decoders(response.headers.get("content-encoding", ""))
    pieces: list[bytes] = []
    size = 0
    try:
        raw = cast(AsyncGenerator[bytes, None], response.aiter_raw())
        async with aclosing(raw):
            async for chunk in raw:
                for piece in _through(decoders, chunk):
                    pieces.append(piece[: limit - size])
                    size += len(pieces[-1])
                    if size >= limit:
                        return b"".join(pieces)
        for piece in _flushed(decoders):
            pieces.append(piece[: limit - size])
            size += len(pieces[-1])
            if size >= limit:
                break
    except DECODE_ERRORS as exc:
        raise FetchError(f"corrupt compressed robots.txt from {response.url}: {exc}") from None
    return b"".join(pieces)


_TOKEN = re.compile(r"[A-Za-z_-]+")
_USER_AGENT_LINE = re.compile(r"^([ \t]*user[ \t-]?agent[ \t]*:)([^#\r\n]*)", re.I | re.M)
_NO_MATCH = "0"  # no product token contains a digit, so this group matches nobody


def product_token(user_agent: str) -> str:
    """``archiver`` for ``archiver/0.1 (...)``: what robots.txt groups are matched against."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


def _exact_groups(text: str, token: str) -> str:
    """Make protego match groups by exact product token, as RFC 9309 2.2.1 says.

    protego would also apply ``User-agent: arch`` to ``archiver``, and not
    ``User-agent: archiver/1.0``; so each group line is reduced to its token,
    or to something that matches nobody when the token is not ours.
    """

    def rewrite(line: re.Match[str]) -> str:
        value = line.group(2).strip()
        if value == "*":
            return line.group(0)
        name = _TOKEN.match(value)
        ours = name is not None and name.group(0).lower() == token
        return f"{line.group(1)} {token if ours else _NO_MATCH}"

    return _USER_AGENT_LINE.sub(rewrite, text)


def _parse(body: bytes, token: str, limit: int = ROBOTS_MAX_BYTES) -> Protego:
    if len(body) >= limit:  # cut off: a half line could change its meaning
        body = body[: body.rfind(b"\n") + 1]
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    return Protego.parse(_exact_groups(text, token))


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says to us, until ``expires`` (monotonic)."""

    expires: float
    parser: Protego | None = None  # None: no rules (unavailable) or none known (unreachable)
    unreachable: str | None = None  # why robots.txt could not be had: everything is disallowed
    crawl_delay: float | None = None  # as the file says it, for our product token

    def require(self, url: httpx.URL, token: str) -> None:
        """Raise ``RobotsDisallowedError`` unless ``url`` may be fetched."""
        target = url.raw_path.decode("ascii", errors="replace")
        where = url.netloc.decode("ascii")
        if self.unreachable is not None:
            raise RobotsDisallowedError(
                f"robots.txt of {where} is unreachable ({self.unreachable}); "
                f"not fetching {short(target)} for now"
            )
        if self.parser is not None and not self.parser.can_fetch(target, token):
            raise RobotsDisallowedError(f"robots.txt of {where} disallows {short(target)}")


@dataclass(slots=True)
class _Loading:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class RobotsCache:
    """Per-Fetcher robots.txt state: one file per origin, fetched once per expiry."""

    def __init__(
        self,
        settings: FetchSettings,
        load: RobotsLoader,
        clock: Clock = SYSTEM,
        shelf: RobotsShelf | None = None,
    ) -> None:
        self._settings = settings
        self._load = load
        self._clock = clock
        self._shelf = shelf
        self.token = product_token(settings.user_agent)
        self._entries: OrderedDict[str, RobotsRules] = OrderedDict()
        self._loading: dict[str, _Loading] = {}

    async def rules(self, url: httpx.URL) -> RobotsRules:
        """The rules for ``url``'s origin, fetching robots.txt if not cached."""
        origin = origin_of(url)
        cached = self._fresh(origin)
        if cached is not None:
            return cached
        loading = self._loading.get(origin)
        if loading is None:
            loading = self._loading[origin] = _Loading()
        loading.users += 1
        try:
            async with loading.lock:  # one fetch per origin; the others wait for it
                cached = self._fresh(origin)
                if cached is None:
                    shelf = self._shelf
                    got = self._fetch(origin) if shelf is None else self._shared(shelf, origin)
                    cached = await self._rules_of(origin, await got)
                    self._store(origin, cached)
                return cached
        finally:
            loading.users -= 1
            if not loading.users:
                del self._loading[origin]

    async def check(self, url: httpx.URL) -> float | None:
        """Raise ``RobotsDisallowedError`` if ``url`` is off limits; else its Crawl-delay."""
        rules = await self.rules(url)
        rules.require(url, self.token)
        return self._capped(rules.crawl_delay)

    def known_delay(self, url: httpx.URL) -> float | None:
        """The (capped) Crawl-delay for ``url``'s origin if robots.txt is cached."""
        rules = self._fresh(origin_of(url))
        return None if rules is None else self._capped(rules.crawl_delay)

    def _capped(self, delay: float | None) -> float | None:
        return None if delay is None else min(delay, self._settings.max_crawl_delay)

    def _fresh(self, origin: str) -> RobotsRules | None:
        rules = self._entries.get(origin)
        if rules is None or rules.expires <= self._clock.monotonic():
            return None
        self._entries.move_to_end(origin)
        return rules

    def _store(self, origin: str, rules: RobotsRules) -> None:
        self._entries[origin] = rules
        self._entries.move_to_end(origin)
        if len(self._entries) > _MAX_ORIGINS:
            now = self._clock.monotonic()
            for key in [k for k, r in self._entries.items() if r.expires <= now]:
                del self._entries[key]
            while len(self._entries) > _MAX_ORIGINS:
                self._entries.popitem(last=False)

    async def _shared(self, shelf: RobotsShelf, origin: str) -> StoredRobots:
        """The copy another worker stored, or the file fetched here and stored for them."""
        lease = 2 * self._settings.total_timeout
        while True:
            got = await asyncio.to_thread(shelf.claim_robots, origin, lease)
            if isinstance(got, StoredRobots):
                return got
            if got:
                break
            await self._clock.sleep(SHELF_POLL)
        try:
            fetched = await self._fetch(origin)
        except BaseException:
            with contextlib.suppress(StoreError):  # the fetch's error is the one to see
                await asyncio.to_thread(shelf.release_robots, origin)
            raise
        await asyncio.to_thread(shelf.save_robots, origin, fetched)
        return fetched

    async def _fetch(self, origin: str) -> StoredRobots:
        settings = self._settings
        robots_url = f"{origin}/robots.txt"
        try:
            result = await self._load(robots_url)
        except BlockedAddressError:
            raise
        except TooManyRedirectsError:
            return StoredRobots("unavailable", settings.robots_cache_seconds)
        except FetchError as exc:
            return self._unreachable(robots_url, str(exc))
        status = result.status
        if status == 429 or status >= 500:
            return self._unreachable(robots_url, f"HTTP {status}")
        if not 200 <= status < 300:
            return StoredRobots("unavailable", settings.robots_cache_seconds)
        return StoredRobots("ok", settings.robots_cache_seconds, result.body)

    async def _rules_of(self, origin: str, got: StoredRobots) -> RobotsRules:
        expires = self._clock.monotonic() + got.ttl
        if got.status == "unreachable":
            return RobotsRules(expires, unreachable=got.reason or "unreachable")
        if got.status != "ok":
            return RobotsRules(expires)  # unavailable: no rules
        try:
            limit = self._settings.robots_max_bytes
            if len(got.body) > _PARSE_IN_THREAD:
                parser = await asyncio.to_thread(_parse, got.body, self.token, limit)
            else:
                parser = _parse(got.body, self.token, limit)
        except Exception as exc:  # a parser bug must not stop all fetching from a site
            log.warning("cannot parse %s/robots.txt (%s); treating it as empty", origin, exc)
            return RobotsRules(expires)
        return RobotsRules(expires, parser=parser, crawl_delay=parser.crawl_delay(self.token))

    def _unreachable(self, robots_url: str, reason: str) -> StoredRobots:
        seconds = self._settings.robots_error_seconds
        log.info("%s unreachable (%s); host disallowed for %gs", robots_url, reason, seconds)
        return StoredRobots("unreachable", seconds, reason=reason)
