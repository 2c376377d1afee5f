"""The procrastinate App, built from settings (never at import time), and its schema.

``build_app(settings)`` connects procrastinate's ``PsycopgConnector`` to the
archive's own PostgreSQL database (``database_url`` without SQLAlchemy's
``+psycopg`` driver suffix) and registers archiver's tasks on it. The App is
opened by whoever uses it (``async with app.open_async()``).

``ensure_schema`` applies procrastinate's schema when its tables are missing,
under a transaction-scoped advisory lock so that two ``archiver migrate``
processes started together (compose's one-shot service and a person) do not
both create it. procrastinate's ``schema.sql`` is not idempotent by itself; the
check for its jobs table is what makes ``archiver migrate`` safe to repeat.
"""

from __future__ import annotations

import psycopg
from procrastinate import App, PsycopgConnector
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from archiver.config import Settings
from archiver.errors import ConfigError, StoreError
from archiver.queue.dblock import client_name
from archiver.store.engine import describe_db_error

SCHEMA_LOCK_KEY = 0x70726F63  # "proc": pg advisory lock id serializing the schema's creation
POOL_SPARE = 4  # connections beyond the worker's concurrency: listener, heartbeat, periodic


def require_postgres(settings: Settings) -> str:
    """The libpq connection string of the queue's database (a ConfigError unless PostgreSQL)."""
    if settings.daemon.queue != "procrastinate":
        raise ConfigError(
            'the job queue is off: set daemon.queue = "procrastinate" '
            "(ARCHIVER_DAEMON__QUEUE=procrastinate) and a PostgreSQL database_url"
        )
    url = make_url(settings.db_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError('daemon.queue = "procrastinate" needs a PostgreSQL database_url')
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings, *, role: str = "client", pool_size: int = 4) -> App:
    """A procrastinate App on the archive's database with archiver's tasks registered."""
    from archiver.queue.tasks import register  # tasks import the pipeline; the App does not

    conninfo = require_postgres(settings)
    connector = PsycopgConnector(
        conninfo=conninfo,
        min_size=1,
        max_size=max(2, pool_size),
        kwargs={"application_name": client_name(role)},
    )
    app = App(connector=connector)
    register(app, settings)
    return app


def worker_pool_size(concurrency: int) -> int:
    return concurrency + POOL_SPARE


async def schema_present(conninfo: str) -> bool:
    try:
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            cur = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cur.fetchone()
    except psycopg.Error as exc:
        raise StoreError(f"job queue: {describe_db_error(exc)}") from exc
    return bool(row and row[0])


async def ensure_schema(settings: Settings) -> bool:
    """Create procrastinate's tables unless they exist; True when they were created now."""
    conninfo = require_postgres(settings)
    schema = SchemaManager.get_schema()
    try:
        async with await psycopg.AsyncConnection.connect(conninfo) as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
            cur = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cur.fetchone()
            if row and row[0]:
                return False
            await conn.execute(schema)
    except psycopg.Error as exc:
        raise StoreError(f"creating the job queue's tables: {describe_db_error(exc)}") from exc
    return True


async def require_schema(settings: Settings) -> None:
    """A clear error for a worker or scheduler started before ``archiver migrate``."""
    if not await schema_present(require_postgres(settings)):
        raise StoreError("the job queue's tables do not exist yet: run `archiver migrate` first")
