"""How hard archiver may hit the web: a global cap plus a per-host gate.

Sites rate-limit and ban aggressive clients, so each host gets at most one
request in flight and a minimum spacing between request starts. The order of
acquisition matters: a request first waits for its host (lock, then delay) and
only then takes a global slot, so a request sleeping out one host's delay never
occupies a slot another host could use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

_PRUNE_AT = 256  # host entries kept before idle ones are dropped


@dataclass(slots=True)
class _HostState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None  # time.monotonic() of the last request start
    users: int = 0  # requests holding or waiting for this host


class HostTurn:
    """One request's turn at a host, handed out by ``PolitenessGate.slot``.

    The turn counts as started when the slot is granted; ``mark_sent`` moves
    that to when the request bytes actually leave, so time spent connecting
    (TCP, TLS) does not eat into the spacing the *server* observes.
    """

    __slots__ = ("_state",)

    def __init__(self, state: _HostState) -> None:
        self._state = state

    def mark_sent(self) -> None:
        self._state.last_start = time.monotonic()


class PolitenessGate:
    """Per-instance politeness state (nothing is shared between Fetchers)."""

    def __init__(self, concurrency: int, per_host_delay: float) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._global = asyncio.Semaphore(concurrency)
        self._delay = max(0.0, per_host_delay)
        self._hosts: dict[str, _HostState] = {}
        self._prune_at = _PRUNE_AT

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[HostTurn]:
        """Hold the right to send one request to ``host`` for the ``with`` body.

        Callers put the whole exchange (send, read body, close) inside, so the
        next request to the same host starts only after this one has finished
        and at least ``per_host_delay`` after this one started.
        """
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            state = self._hosts[key] = _HostState()
        state.users += 1
        try:
            async with state.lock:
                if state.last_start is not None:
                    wait = state.last_start + self._delay - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                async with self._global:
                    state.last_start = time.monotonic()
                    yield HostTurn(state)
        finally:
            state.users -= 1
            self._prune()

    def _prune(self) -> None:
        """Forget hosts nobody is using whose delay has passed (bounded memory)."""
        if len(self._hosts) < self._prune_at:
            return
        now = time.monotonic()
        idle = [
            key
            for key, state in self._hosts.items()
            if state.users == 0 and (state.last_start or 0.0) + self._delay <= now
        ]
        for key in idle:
            del self._hosts[key]
        self._prune_at = max(_PRUNE_AT, 2 * len(self._hosts))
