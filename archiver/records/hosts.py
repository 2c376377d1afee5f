"""Plain data of the politeness state shared by every worker (store boundary).

With ``daemon.queue = "procrastinate"`` the per-host gate and the robots.txt
cache live in the database (``archiver.store.hosts``) so that every worker on
every machine sees the same state; the fetch stage reads and writes it through
the ``HostLedger`` and ``RobotsShelf`` protocols, exchanging these records.
Times are seconds (the database's clock decides "now", so machines whose clocks
disagree still agree on the spacing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RobotsStatus = Literal["ok", "unavailable", "unreachable"]


@dataclass(frozen=True, slots=True)
class HostClaim:
    """The answer to "may I start a request to this host now?".

    ``wait`` 0: yes, and the start is recorded (the next one is spaced from it);
    otherwise how many seconds to wait before asking again. ``failures``: the
    host's consecutive failed requests, as any worker saw them.
    """

    wait: float
    failures: int = 0


@dataclass(frozen=True, slots=True)
class HostTrouble:
    """A failure counted against a host: its streak, the backoff, and what was logged before."""

    failures: int
    wait: float
    previous: str | None  # the host's trouble kind before this failure ("status", ...)


@dataclass(frozen=True, slots=True)
class StoredRobots:
    """One origin's robots.txt as some worker fetched it; good for ``ttl`` more seconds."""

    status: RobotsStatus
    ttl: float
    body: bytes = b""  # the file's first robots_max_bytes (status "ok")
    reason: str | None = None  # why it was unreachable
