"""Alembic environment for the archiver store.

Normally run through ``archiver.store.migrate.upgrade``, which hands over a
connection already inside a write transaction (``config.attributes``). For
writing new revisions by hand, ``alembic -c archiver/store/migrations/alembic.ini
-x url=sqlite:///path.db revision --autogenerate --rev-id 0002 -m "..."`` also
works; the URL may come from ``ARCHIVER_DATABASE_URL`` instead of ``-x url=``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from archiver.store.engine import begin_write, lock_for_migration, make_engine
from archiver.store.migrate import include_name, target_metadata

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "ARCHIVER_DATABASE_URL"
    )
    if not url:
        raise SystemExit("give a database URL: -x url=... or ARCHIVER_DATABASE_URL")
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode recreates tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        include_name=include_name,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    shared = config.attributes.get("connection")
    if isinstance(shared, Connection):
        _run(shared)
        return
    engine = make_engine(_url())
    try:
        with begin_write(engine) as connection:
            lock_for_migration(connection)
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
