"""Politeness shared by every worker: per-host gates and robots.txt files in the database.

With ``daemon.queue = "procrastinate"`` N ``archiver worker`` processes, on any
number of machines, fetch from the same hosts. Their spacing, Crawl-delay,
Retry-After and host backoff must hold for all of them together, so the state
the in-process gate keeps in memory (``archiver.fetch.politeness``) lives here:

* ``host_gate``: one row per host. A worker that wants to start a request
  takes the row with ``SELECT ... FOR UPDATE`` and, in the same short
  transaction, either gets the turn or learns how long to wait. A granted turn
  is *pending* until the worker says its request has left (``sent``, recorded
  after the request's headers were written): only then does the spacing start,
  and nobody else is granted a turn meanwhile. So however long a worker takes
  between its grant and its send (connecting, a busy event loop), two sends are
  never closer than the delay. A blocking row lock rather than ``SKIP LOCKED``: the
  transaction does no I/O besides the database, so waiting a millisecond for it
  is cheaper than a retry loop, and nobody can jump the queue. The database's
  clock (``clock_timestamp()``, read after the lock is granted) is "now", so
  machines whose clocks disagree still agree on the spacing.
* ``robots_file``: one row per origin. The first worker that needs an origin's
  robots.txt takes a lease, fetches it and stores what it got; the others wait
  for that copy and use it until it expires, so N workers fetch it once.

These methods implement the fetch stage's ``HostLedger`` and ``RobotsShelf``
protocols (``archiver.fetch.shared``), exchanging ``archiver.records.hosts``
records. SQLite serializes writers anyway (``BEGIN IMMEDIATE``); the tables
exist there too, but the inline runner keeps its state in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlmodel import Session, select

from archiver.records.hosts import HostClaim, HostTrouble, StoredRobots
from archiver.store.ops_models import HostGate, RobotsFile

T = TypeVar("T")


def now(session: Session) -> float:
    """Epoch seconds on the database's clock (PostgreSQL), or this machine's (SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        sql = text("SELECT extract(epoch FROM clock_timestamp())")
        return float(session.connection().execute(sql).scalar_one())
    return time.time()


def _gate(session: Session, host: str) -> HostGate:
    """The host's row, locked; created on first use (a racing insert is retried by run_write)."""
    row = session.exec(select(HostGate).where(HostGate.host == host).with_for_update()).first()
    if row is None:
        row = HostGate(host=host)
        session.add(row)
        session.flush()
    return row


def claim_start(session: Session, host: str, delay: float, hold: float) -> HostClaim:
    """Grant a turn if ``delay`` has passed since the last request was sent, no other
    turn is pending and the host is not backed off; otherwise say how long to wait.
    A granted turn (with a delay) is pending until ``sent``, or ``hold`` seconds at most."""
    row = _gate(session, host)
    moment = now(session)
    ready = row.not_before
    if row.last_start is not None:
        ready = max(ready, row.last_start + delay)
    if delay > 0 and row.pending_until > moment:  # its request leaves now at the earliest
        return HostClaim(max(ready - moment, delay), row.failures)
    if ready > moment:
        return HostClaim(ready - moment, row.failures)
    if delay > 0:  # else no spacing to keep: nothing to hold the others off for
        row.pending_until = moment + hold
    return HostClaim(0.0, row.failures)


def sent(session: Session, host: str) -> None:
    """The granted request has left (or never will): the spacing runs from now."""
    row = _gate(session, host)
    row.last_start = max(row.last_start or 0.0, now(session))
    row.pending_until = 0.0


def count_failure(
    session: Session, host: str, trouble: str, backoff: Callable[[int], float]
) -> HostTrouble:
    """One more failed request: the host is left alone ``backoff(failures)`` seconds."""
    row = _gate(session, host)
    row.failures += 1
    wait = backoff(row.failures)
    row.not_before = max(row.not_before, now(session) + wait)
    previous, row.trouble = row.trouble, trouble
    return HostTrouble(row.failures, wait, previous)


def recovered(session: Session, host: str) -> int:
    """The host answered: forget its streak; the failures it had if its trouble was logged.

    ``not_before`` stays: a Retry-After another worker just received must not be undone
    by an answer to a request that started before it (it is in the past otherwise)."""
    row = session.exec(select(HostGate).where(HostGate.host == host).with_for_update()).first()
    if row is None or (row.failures == 0 and row.trouble is None):
        return 0
    failures = row.failures if row.trouble is not None else 0
    row.failures, row.trouble = 0, None
    return failures


def _robots(session: Session, origin: str) -> RobotsFile:
    row = session.exec(
        select(RobotsFile).where(RobotsFile.origin == origin).with_for_update()
    ).first()
    if row is None:
        row = RobotsFile(origin=origin)
        session.add(row)
        session.flush()
    return row


def claim_robots(session: Session, origin: str, lease: float) -> StoredRobots | bool:
    """The stored copy while it is fresh; else True (fetch it: the lease is yours for
    ``lease`` seconds) or False (another worker is fetching it: ask again shortly)."""
    row = _robots(session, origin)
    moment = now(session)
    if row.status in ("ok", "unavailable", "unreachable") and row.expires > moment:
        return StoredRobots(row.status, row.expires - moment, row.body, row.reason)  # type: ignore[arg-type]
    if row.lease_until > moment:
        return False
    row.lease_until = moment + lease
    return True


def save_robots(session: Session, origin: str, robots: StoredRobots) -> None:
    row = _robots(session, origin)
    moment = now(session)
    row.status, row.body, row.reason = robots.status, robots.body, robots.reason
    row.fetched_at, row.expires, row.lease_until = moment, moment + robots.ttl, 0.0


def release_robots(session: Session, origin: str) -> None:
    """Give the lease back without a copy (the fetch raised): the next worker tries."""
    row = session.get(RobotsFile, origin)
    if row is not None:
        row.lease_until = 0.0


class HostsMixin:
    """The shared gate and robots.txt cache as ``Store`` methods."""

    def _write(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def claim_host_start(self, host: str, delay: float, hold: float) -> HostClaim:
        """A turn at ``host`` now (wait 0) or how long to wait; see ``claim_start``."""
        return self._write("claiming a host's turn", lambda s: claim_start(s, host, delay, hold))

    def host_request_sent(self, host: str) -> None:
        self._write("recording a request start", lambda s: sent(s, host))

    def count_host_failure(
        self, host: str, trouble: str, backoff: Callable[[int], float]
    ) -> HostTrouble:
        return self._write("backing a host off", lambda s: count_failure(s, host, trouble, backoff))

    def host_recovered(self, host: str) -> int:
        return self._write("clearing a host's backoff", lambda s: recovered(s, host))

    def claim_robots(self, origin: str, lease: float) -> StoredRobots | bool:
        return self._write("reading robots.txt", lambda s: claim_robots(s, origin, lease))

    def save_robots(self, origin: str, robots: StoredRobots) -> None:
        self._write("storing robots.txt", lambda s: save_robots(s, origin, robots))

    def release_robots(self, origin: str) -> None:
        self._write("releasing robots.txt", lambda s: release_robots(s, origin))
