"""One scheduler per database: a PostgreSQL advisory lock held for the scheduler's life.

The data directory's file lock (archiver.daemon.lock) only stops a second
daemon on the same machine and directory; two daemons in different data
directories, or on two machines, that share one PostgreSQL database would both
schedule. So a scheduler on PostgreSQL also takes a session-level advisory lock
on a connection of its own, kept for as long as it runs. The second one is
refused with one line naming the holder (from ``pg_stat_activity``).

The server drops a session lock with its connection (a restart, a network cut).
A watchdog checks the connection every few seconds; once it is gone it
reconnects and takes the lock again. If another scheduler took it meanwhile,
this one stops (``on_lost``), so there is never more than one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from types import TracebackType

import psycopg

from archiver.errors import ArchiverError, StoreError
from archiver.store.engine import describe_db_error

log = logging.getLogger("archiver.daemon")

SCHEDULER_LOCK_KEY = 0x61726373  # "arcs"
CHECK_EVERY = 2.0  # seconds between checks of the lock's connection

_HOLDER = """
SELECT a.application_name, a.client_addr::text, a.backend_start
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s
   AND a.datname = current_database()
"""


def client_name(role: str) -> str:
    """How a connection names itself in ``pg_stat_activity`` (and in a refusal)."""
    return f"archiver {role} {socket.gethostname()} pid {os.getpid()}"[:63]


class SchedulerLock:
    """``async with SchedulerLock(conninfo, name, on_lost)``: hold the database's scheduler lock."""

    def __init__(
        self,
        conninfo: str,
        name: str,
        on_lost: Callable[[], None],
        check_every: float = CHECK_EVERY,
    ) -> None:
        self.conninfo = conninfo
        self.name = name
        self.on_lost = on_lost
        self.check_every = check_every
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def _take(self) -> bool:
        conn = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, application_name=self.name
        )
        cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (SCHEDULER_LOCK_KEY,))
        row = await cur.fetchone()
        if row and row[0]:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def _holder(self) -> str:
        async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
            cur = await conn.execute(_HOLDER, (SCHEDULER_LOCK_KEY,))
            row = await cur.fetchone()
        if row is None:
            return "another archiver scheduler"
        name, addr, since = row
        where = f" from {addr}" if addr else ""
        return f"{name or 'another archiver scheduler'}{where}, since {since:%Y-%m-%d %H:%M:%S %Z}"

    async def __aenter__(self) -> SchedulerLock:
        try:
            taken = await self._take()
            if not taken:
                holder = await self._holder()
        except psycopg.Error as exc:
            raise StoreError(f"taking the scheduler lock: {describe_db_error(exc)}") from exc
        if not taken:
            raise ArchiverError(
                f"another scheduler already runs on this database ({holder}): "
                "one `archiver run` per database"
            )
        self._watchdog = asyncio.create_task(self._watch(), name="scheduler lock watchdog")
        return self

    async def _alive(self) -> bool:
        if self._conn is None or self._conn.closed:
            return False
        try:
            await self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    async def _watch(self) -> None:
        lost = False
        while True:
            await asyncio.sleep(self.check_every)
            if await self._alive():
                continue
            if not lost:
                log.warning("database connection of the scheduler lock lost: reconnecting")
                lost = True
            if self._conn is not None:
                with contextlib.suppress(psycopg.Error):
                    await self._conn.close()
                self._conn = None
            try:
                taken = await self._take()
            except psycopg.Error:
                continue  # still down: try again at the next check
            if not taken:
                log.error("another scheduler took the database's scheduler lock: stopping")
                self.on_lost()
                return
            log.info("database back: scheduler lock taken again")
            lost = False

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._conn.close()  # closing the session releases its lock
            self._conn = None
