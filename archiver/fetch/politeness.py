"""How hard archiver may hit the web: a global cap plus a per-host gate.

Sites rate-limit and ban aggressive clients, so each host gets at most one
request in flight and a minimum spacing between request starts. The order of
acquisition matters: a request first waits for its host (lock, then delay) and
only then takes a global slot, so a request sleeping out one host's delay never
occupies a slot another host could use.

A host's spacing can be raised per request (robots.txt ``Crawl-delay``), and a
host that keeps failing (connection errors, 429, 5xx) is backed off
exponentially: its next request waits until ``base * 2**(failures - 1)`` (capped,
and at least any ``Retry-After``) has passed. That wait, too, happens before the
global slot is taken, so a struggling host never slows the others.

A host's trouble is logged at INFO when it changes, not per request: when it
starts failing ("host example.com: backing off 30 s after 503 (Retry-After)",
"host example.com: timeouts, backing off 2 s (...)", "host example.com: not
answering, backing off 2 s (...)"), when its failures change kind, and when it
recovers ("host example.com: answering again after 3 failed requests"). Each
further failed request is a DEBUG line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from archiver.fetch.clock import SYSTEM, Clock

_PRUNE_AT = 256  # host entries kept before idle ones are dropped

log = logging.getLogger("archiver.fetch")


def secs(seconds: float) -> str:
    return f"{seconds:.2f}".rstrip("0").rstrip(".")


class Turn(Protocol):
    """One request's turn at a host: what the Fetcher tells the gate about it."""

    async def mark_sent(self) -> None: ...
    def succeeded(self) -> None: ...
    def refused(self, status: int, retry_after: float | None = None) -> None: ...
    def unanswered(self, error: str, *, timed_out: bool) -> None: ...


class Gate(Protocol):
    """What the Fetcher waits on before each request: ``PolitenessGate`` (this process)
    or ``SharedGate`` (every worker, through the database: ``archiver.fetch.shared``)."""

    def slot(self, host: str, *, delay: float | None = None) -> AbstractAsyncContextManager[Turn]:
        """Hold the right to send one request to ``host`` for the ``with`` body."""
        ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a failing host is left alone: ``base * 2**(failures - 1)``, at most ``cap``."""

    base: float = 0.0
    cap: float = 0.0

    def after(self, failures: int, retry_after: float | None = None) -> float:
        wait = self.base * 2.0 ** min(failures - 1, 64) if failures > 0 else 0.0
        return min(self.cap, max(wait, retry_after or 0.0))


@dataclass(slots=True)
class _HostState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None  # Clock.monotonic() of the last request start
    users: int = 0  # requests holding or waiting for this host
    delay: float = 0.0  # spacing asked for by the latest request (Crawl-delay may raise it)
    failures: int = 0  # consecutive failed requests
    not_before: float = 0.0  # Clock.monotonic() before which the host is left alone
    trouble: str | None = None  # the kind of failure last logged ("status", "timeouts", ...)

    def forgettable(self, now: float, backoff: Backoff) -> bool:
        if self.users or (self.last_start or 0.0) + self.delay > now:
            return False
        # A failing host's streak is kept for a while so its backoff keeps growing.
        return self.failures == 0 or self.not_before + backoff.cap <= now


class HostTurn:
    """One request's turn at a host, handed out by ``PolitenessGate.slot``.

    The turn counts as started when the slot is granted; ``mark_sent`` moves
    that to when the request bytes actually leave, so time spent connecting
    (TCP, TLS) does not eat into the spacing the *server* observes.
    """

    __slots__ = ("_backoff", "_clock", "_host", "_state")

    def __init__(self, host: str, state: _HostState, backoff: Backoff, clock: Clock) -> None:
        self._host = host
        self._state = state
        self._backoff = backoff
        self._clock = clock

    async def mark_sent(self) -> None:
        self._state.last_start = self._clock.monotonic()

    def succeeded(self) -> None:
        """The host answered sensibly: forget its failures."""
        state = self._state
        if state.trouble is not None:
            log.info("host %s: answering again after %s", self._host, count(state.failures))
            state.trouble = None
        state.failures = 0
        state.not_before = 0.0

    def refused(self, status: int, retry_after: float | None = None) -> None:
        """The host answered 429 or a transient 5xx: leave it alone for a while."""
        wait = self._fail("status", retry_after)
        if wait is None:
            return
        why = f"after {status}"
        if retry_after is not None and retry_after >= self._backoff.after(self._state.failures):
            capped = retry_after > wait
            why += f" (Retry-After {secs(retry_after)} s, capped)" if capped else " (Retry-After)"
        log.info("host %s: backing off %s s %s", self._host, secs(wait), why)

    def unanswered(self, error: str, *, timed_out: bool) -> None:
        """No answer from the host (a hang, a refused or broken connection)."""
        wait = self._fail("timeouts" if timed_out else "unreachable")
        if wait is not None:
            what = "timeouts" if timed_out else "not answering"
            log.info("host %s: %s, backing off %s s (%s)", self._host, what, secs(wait), error)

    def _fail(self, trouble: str, retry_after: float | None = None) -> float | None:
        """Count a failure and back off; the wait, or None when the trouble is already logged."""
        state = self._state
        state.failures += 1
        wait = self._backoff.after(state.failures, retry_after)
        state.not_before = max(state.not_before, self._clock.monotonic() + wait)
        if state.trouble == trouble:
            log.debug("host %s: failure %d (%s), backing off %s s",
                      self._host, state.failures, trouble, secs(wait))  # fmt: skip
            return None
        state.trouble = trouble
        return wait


def count(failures: int) -> str:
    return "1 failed request" if failures == 1 else f"{failures} failed requests"


class PolitenessGate:
    """Per-instance politeness state (nothing is shared between Fetchers)."""

    def __init__(
        self,
        concurrency: int,
        per_host_delay: float,
        backoff: Backoff | None = None,
        clock: Clock = SYSTEM,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._global = asyncio.Semaphore(concurrency)
        self._delay = max(0.0, per_host_delay)
        self._backoff = backoff or Backoff()
        self._hosts: dict[str, _HostState] = {}
        self._prune_at = _PRUNE_AT
        self._clock = clock

    @asynccontextmanager
    async def slot(self, host: str, *, delay: float | None = None) -> AsyncIterator[HostTurn]:
        """Hold the right to send one request to ``host`` for the ``with`` body.

        Callers put the whole exchange (send, read body, close) inside, so the
        next request to the same host starts only after this one has finished,
        at least ``per_host_delay`` (or ``delay``, if larger) after this one
        started, and not before the host's backoff (if it is failing) is over.
        """
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            state = self._hosts[key] = _HostState()
        state.users += 1
        try:
            async with state.lock:
                state.delay = max(self._delay, delay or 0.0)
                ready = state.not_before
                if state.last_start is not None:
                    ready = max(ready, state.last_start + state.delay)
                wait = ready - self._clock.monotonic()
                if wait > 0:
                    await self._clock.sleep(wait)
                async with self._global:
                    state.last_start = self._clock.monotonic()
                    yield HostTurn(key, state, self._backoff, self._clock)
        finally:
            state.users -= 1
            self._prune()

    def _prune(self) -> None:
        """Forget hosts nobody is using whose waits have passed (bounded memory)."""
        if len(self._hosts) < self._prune_at:
            return
        now = self._clock.monotonic()
        idle = [key for key, state in self._hosts.items() if state.forgettable(now, self._backoff)]
        for key in idle:
            del self._hosts[key]
        self._prune_at = max(_PRUNE_AT, 2 * len(self._hosts))
