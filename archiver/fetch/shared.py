"""Politeness across every worker and machine: the per-host gate kept in a shared ledger.

``PolitenessGate`` (politeness.py) keeps each host's spacing and backoff in
this process only; N ``archiver worker`` processes would each hit a host at
its delay, N times as often as configured. ``SharedGate`` keeps the same rules
in a ``HostLedger`` every worker shares (the store's ``host_gate`` table with
``daemon.queue = "procrastinate"``: ``archiver.store.hosts``):

* a request may start once ``per_host_delay`` (or the host's larger
  Crawl-delay) has passed since the last request *any worker* sent and the
  host's backoff is over; the ledger grants the turn in a row-locked
  transaction (``claim_host_start``) or answers how long to wait, and the gate
  sleeps that long and asks again. A granted turn holds the others off until
  its request has left (``mark_sent``, once its headers are written; at the
  latest when the slot ends, or after ``total_timeout``), and the spacing runs
  from that moment, so two requests are never sent closer than the delay;
* a failure (429 or 5xx, with its Retry-After, no answer, a hang) backs the
  host off for everyone: ``base * 2**(failures - 1)`` over the streak any worker
  saw, capped, at least the Retry-After; the next success ends the streak.

Within one process the gate still lets one request per host be in flight (the
others wait on a local lock, so one coroutine asks the ledger for a host), and
takes a global slot (``fetch.concurrency``) only to claim and send, never while
it sleeps. Across processes the *sends* are spaced; a slow answer does not hold
the others back once its request has left. A host's trouble is logged as in
politeness.py: once when it starts or changes kind, once when it ends (by the
worker that saw it).

``RobotsShelf`` is the robots.txt side of the same store (``RobotsCache`` in
robots.py uses it); the Store implements both protocols.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from archiver.config import FetchSettings
from archiver.errors import StoreError
from archiver.fetch.clock import SYSTEM, Clock
from archiver.fetch.politeness import Backoff, count, secs
from archiver.records.hosts import HostClaim, HostTrouble, StoredRobots

log = logging.getLogger("archiver.fetch")


class HostLedger(Protocol):
    """Per-host politeness state every worker shares (``archiver.store.hosts``)."""

    def claim_host_start(self, host: str, delay: float, hold: float) -> HostClaim: ...
    def host_request_sent(self, host: str) -> None: ...
    def count_host_failure(
        self, host: str, trouble: str, backoff: Callable[[int], float]
    ) -> HostTrouble: ...
    def host_recovered(self, host: str) -> int: ...


class RobotsShelf(Protocol):
    """robots.txt files shared by every worker (``archiver.store.hosts``)."""

    def claim_robots(self, origin: str, lease: float) -> StoredRobots | bool:
        """The fresh stored copy, or True (fetch it yourself) or False (someone else is)."""
        ...

    def save_robots(self, origin: str, robots: StoredRobots) -> None: ...
    def release_robots(self, origin: str) -> None: ...


class SharedTurn:
    """One request's turn; what it learned is written to the ledger when the slot ends."""

    __slots__ = (
        "_host", "_ledger", "error", "failures", "kind", "retry_after", "sent", "status",
    )  # fmt: skip

    def __init__(self, ledger: HostLedger, host: str, failures: int) -> None:
        self._ledger, self._host = ledger, host
        self.sent = False
        self.failures = failures  # the host's streak when the turn was granted
        self.kind: str | None = None  # "ok", "status", "timeouts", "unreachable"
        self.status = 0
        self.retry_after: float | None = None
        self.error = ""

    async def mark_sent(self) -> None:
        """The request has left: the spacing runs from now (not from the grant: time spent
        connecting, or waiting for a busy event loop, must not eat it), the others may claim."""
        if self.sent:
            return
        self.sent = True
        try:
            await asyncio.to_thread(self._ledger.host_request_sent, self._host)
        except StoreError as exc:
            log.warning("host %s: request start not recorded (%s)", self._host, exc)

    def succeeded(self) -> None:
        self.kind = "ok"

    def refused(self, status: int, retry_after: float | None = None) -> None:
        self.kind, self.status, self.retry_after = "status", status, retry_after

    def unanswered(self, error: str, *, timed_out: bool) -> None:
        self.kind, self.error = ("timeouts" if timed_out else "unreachable"), error


@dataclass(slots=True)
class _Local:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class SharedGate:
    """A ``Gate`` whose per-host state lives in a ``HostLedger`` shared by every worker."""

    def __init__(
        self,
        ledger: HostLedger,
        concurrency: int,
        per_host_delay: float,
        backoff: Backoff | None = None,
        clock: Clock = SYSTEM,
        hold: float = 30.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._ledger = ledger
        self._global = asyncio.Semaphore(concurrency)
        self._delay = max(0.0, per_host_delay)
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._hold = hold  # a granted turn holds the host this long at most before its send
        self._hosts: dict[str, _Local] = {}  # hosts with a request waiting or in flight here

    @classmethod
    def from_settings(
        cls, settings: FetchSettings, ledger: HostLedger, clock: Clock = SYSTEM
    ) -> SharedGate:
        backoff = Backoff(base=settings.retry_backoff, cap=settings.host_backoff_max)
        return cls(
            ledger, settings.concurrency, settings.per_host_delay, backoff, clock,
            hold=settings.total_timeout,
        )  # fmt: skip

    @asynccontextmanager
    async def slot(self, host: str, *, delay: float | None = None) -> AsyncIterator[SharedTurn]:
        key = host.lower()
        local = self._hosts.get(key)
        if local is None:
            local = self._hosts[key] = _Local()
        local.users += 1
        try:
            async with local.lock:
                claim = await self._claim(key, max(self._delay, delay or 0.0))
                turn = SharedTurn(self._ledger, key, claim.failures)
                try:
                    yield turn
                finally:
                    self._global.release()
                    await turn.mark_sent()  # unless it was: a turn never holds on past its end
                    await self._record(key, turn)
        finally:
            local.users -= 1
            if not local.users:
                del self._hosts[key]

    async def _claim(self, host: str, spacing: float) -> HostClaim:
        """Wait until the ledger grants a start; return holding a global slot."""
        while True:
            await self._global.acquire()
            try:
                claim = await asyncio.to_thread(
                    self._ledger.claim_host_start, host, spacing, self._hold
                )
            except BaseException:
                self._global.release()
                raise
            if claim.wait <= 0:
                return claim
            self._global.release()
            await self._clock.sleep(claim.wait)

    async def _record(self, host: str, turn: SharedTurn) -> None:
        try:
            if turn.kind == "ok":
                if turn.failures:  # nobody saw trouble when this turn began: nothing to write
                    failed = await asyncio.to_thread(self._ledger.host_recovered, host)
                    if failed:
                        log.info("host %s: answering again after %s", host, count(failed))
            elif turn.kind is not None:
                await self._failed(host, turn)
        except StoreError as exc:  # the request itself went fine or failed on its own
            log.warning("host %s: politeness state not updated (%s)", host, exc)

    async def _failed(self, host: str, turn: SharedTurn) -> None:
        kind, retry_after = turn.kind or "", turn.retry_after if turn.kind == "status" else None
        backoff = functools.partial(self._backoff.after, retry_after=retry_after)
        trouble = await asyncio.to_thread(self._ledger.count_host_failure, host, kind, backoff)
        wait = secs(trouble.wait)
        if trouble.previous == kind:
            log.debug("host %s: failure %d (%s), backing off %s s",
                      host, trouble.failures, kind, wait)  # fmt: skip
        elif kind == "status":
            why = f"after {turn.status}"
            if retry_after is not None and retry_after >= self._backoff.after(trouble.failures):
                capped = retry_after > trouble.wait
                why += (
                    f" (Retry-After {secs(retry_after)} s, capped)" if capped else " (Retry-After)"
                )
            log.info("host %s: backing off %s s %s", host, wait, why)
        else:
            what = "timeouts" if kind == "timeouts" else "not answering"
            log.info("host %s: %s, backing off %s s (%s)", host, what, wait, turn.error)
