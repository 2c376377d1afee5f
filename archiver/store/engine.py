"""Engines and transactions: the only place that knows how to talk to SQLite safely.

SQLite is shared by several processes (the daemon and a CLI ``add`` at least),
so it runs in WAL mode (readers never block the writer) with a 30 s busy
timeout. The catch is Python's ``sqlite3`` driver: it starts transactions
lazily with a plain deferred ``BEGIN`` and only before DML, so a transaction
that reads first and writes later can be refused with "database is locked"
without the busy timeout ever applying (a deferred reader cannot upgrade to a
writer once another process has committed). Following SQLAlchemy's pysqlite
recipe, the driver's own transaction handling is switched off and the
"begin" event emits ``BEGIN IMMEDIATE`` for write transactions: the write lock
is taken up front, waited for politely, and every write transaction is
serialized. Read transactions use a deferred ``BEGIN`` and never block.

PostgreSQL needs none of that; concurrent writers there are handled by
``run_write`` retrying a transaction that lost a uniqueness race.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from archiver.errors import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_SECONDS = 30
WRITE_OPTION = "archiver_write"
"""Connection execution option marking a write transaction (BEGIN IMMEDIATE on SQLite)."""

WRITE_ATTEMPTS = 4
"""A write that loses a race (unique violation, serialization failure) is retried this often."""

# unique violation (lost an insert race), serialization failure, deadlock
_RETRYABLE_SQLSTATES = frozenset({"23505", "40001", "40P01"})
RECONNECT_PAUSE = 0.25
"""Seconds before a retry after a lost connection: the other pooled connections of a
server that is shutting a session down (or restarting) are often dropped a moment later."""
WRITE_RECONNECTS = 2
"""A write whose connection is lost is retried on a new one this often: a second cut can
land on the retry itself (connections killed in waves, a restart still starting up); a
server that keeps dropping us is down, and the error goes up."""
# admin shutdown (pg_terminate_backend, a restart), crash shutdown, cannot connect now
_DISCONNECT_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
_SUPPORTED = ("sqlite", "postgresql")
SQLITE_POOL_SIZE = 16
"""SQLite connections kept open per process (each holds at most SQLite's 2 MB page cache)."""
_MIGRATION_LOCK_KEY = 0x61726368  # "arch": pg advisory lock id serializing migrations


def make_engine(url: str) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL, configured for concurrent use."""
    try:
        sa_url = make_url(url)
    except Exception as exc:
        raise StoreError(f"invalid database URL {url!r}: {exc}") from exc
    backend = sa_url.get_backend_name()
    if backend not in _SUPPORTED:
        raise StoreError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    if backend == "postgresql":
        return create_engine(sa_url, pool_pre_ping=True)
    database = sa_url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in str(sa_url)
    kwargs: dict[str, Any] = {}
    if memory:
        # One shared connection, or each checkout would see its own empty
        # database. Only fit for tests and throwaway use.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Enough pooled connections for every thread that calls the store (asyncio's
        # default executor has up to 32): an overflow connection is opened and closed
        # again on every burst, each time building its schema cache and page cache anew.
        kwargs = {
            "connect_args": {"timeout": BUSY_TIMEOUT_SECONDS},
            "pool_size": SQLITE_POOL_SIZE,
            "max_overflow": SQLITE_POOL_SIZE,
        }
    engine = create_engine(sa_url, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _enter_wal(cursor: Any) -> None:
    """Switch to WAL, waiting for other processes like the busy timeout would.

    Changing the journal mode needs an exclusive lock and SQLite answers
    "database is locked" at once, without consulting the busy handler, while
    another process holds any lock, e.g. a second process opening a brand-new
    archive while the first one migrates it. So retry for up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def _sqlite_on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def lock_for_migration(conn: Connection) -> None:
    """Serialize schema upgrades between processes opening the store at once.

    On SQLite the migration transaction already holds the write lock
    (``BEGIN IMMEDIATE``); PostgreSQL gets a transaction-scoped advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A Core connection inside a write transaction (used for migrations)."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def session_scope(engine: Engine, *, write: bool) -> Iterator[Session]:
    """One transaction as a Session: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False, autoflush=False) as session, session.begin():
        # Procure the connection now so the write flag applies to its BEGIN.
        session.connection(execution_options={WRITE_OPTION: write})
        yield session


def run_write(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one write transaction, retrying it if it lost a race.

    On SQLite ``BEGIN IMMEDIATE`` already serializes writers, so races never
    happen. On PostgreSQL two processes can both look up a URL, find nothing
    and insert the same article; the loser's transaction fails with a unique
    violation and is simply run again, when the lookup finds the winner's row.
    ``work`` must therefore be free of side effects outside the session.
    """
    reconnects = 0
    for attempt in range(1, WRITE_ATTEMPTS + WRITE_RECONNECTS + 1):
        try:
            with session_scope(engine, write=True) as session:
                return work(session)
        except DBAPIError as exc:
            if _is_disconnect(exc) and reconnects < WRITE_RECONNECTS:
                reconnects += 1
                log.info("database connection lost, retrying the transaction: %s", exc.orig)
                time.sleep(RECONNECT_PAUSE)
                continue
            if attempt - reconnects >= WRITE_ATTEMPTS or not _is_race(exc):
                raise
            log.debug("write lost a race (attempt %d), retrying: %s", attempt, exc.orig)
    raise AssertionError("unreachable")  # pragma: no cover


def run_read(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one read transaction, once more on a new connection if the
    server dropped the first (a restarted PostgreSQL, a proxy's idle cut)."""
    try:
        with session_scope(engine, write=False) as session:
            return work(session)
    except DBAPIError as exc:
        if not _is_disconnect(exc):
            raise
        log.info("database connection lost, retrying the read: %s", exc.orig)
    time.sleep(RECONNECT_PAUSE)
    with session_scope(engine, write=False) as session:
        return work(session)


def _is_disconnect(exc: DBAPIError) -> bool:
    # SQLAlchemy invalidates the pooled connection when the dialect sees a disconnect
    # (the socket closed); the next checkout is new. PostgreSQL's own word for a
    # terminated backend (57P01-57P03, or a connection exception, class 08) counts too.
    if exc.connection_invalidated:
        return True
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    return state.startswith("08") or state in _DISCONNECT_SQLSTATES


def _is_race(exc: DBAPIError) -> bool:
    # Only PostgreSQL drivers report a SQLSTATE; SQLite writers never race.
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


# What SQLite/PostgreSQL say, and what a person can do about it.
_HINTS = (
    (("database or disk is full", "disk i/o error", "no space left"),
     "the disk holding the database is full (free some space and retry)"),
    (("readonly database", "read-only file system", "unable to open database file"),
     "the database cannot be written (read-only file system or missing permissions)"),
    (("database is locked",), "the database stayed locked by another process for too long"),
    (("connection refused", "could not connect", "connection to server"),
     "cannot connect to the database server"),
)  # fmt: skip


def describe_db_error(exc: BaseException) -> str:
    """One line for a database error: a hint when the cause is known, the driver's words."""
    orig = getattr(exc, "orig", None) or exc
    words = " ".join(str(orig).split())[:300]
    lowered = words.lower()
    for needles, hint in _HINTS:
        if any(n in lowered for n in needles):
            return f"{hint} ({words})"
    return words
