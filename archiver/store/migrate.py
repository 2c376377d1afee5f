"""Schema migrations, run programmatically with Alembic.

``Store`` calls :func:`upgrade` every time it opens, so a fresh database gets
its tables and an old one is brought to the current schema before any query.
The migration scripts live inside the package (``archiver.store:migrations``)
so this works from an installed wheel, without an ``alembic.ini`` around.

The full-text index objects (named ``article_fts*``: an FTS5 virtual table and
its shadow tables on SQLite, a tsvector table and GIN index on PostgreSQL) are
created by migrations but are not SQLModel tables, so :func:`include_name`
hides them from autogenerate's comparison.

Opening an archive whose schema is current costs one read of
``alembic_version`` (``is_current``): Alembic itself (a sixth of a read
command's start-up) is imported and its write lock taken only when there is
something to migrate. ``HEAD`` names the newest script's revision; a test holds
it to the scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from archiver.store import models
from archiver.store.engine import begin_write, lock_for_migration

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0012"
"""The newest migration's revision (``migrations/versions``): bump it with each new script."""
SCRIPT_LOCATION = "archiver.store:migrations"
FTS_PREFIX = "article_fts"

target_metadata = SQLModel.metadata
"""SQLModel's metadata, holding the tables of ``archiver.store.models``."""

assert all(name in target_metadata.tables for name in models.TABLES)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate filter: leave the dialect-specific full-text objects alone."""
    if type_ in ("table", "index") and name is not None:
        return not name.startswith(FTS_PREFIX)
    return True


def alembic_config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic configuration pointing at the packaged scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def is_current(engine: Engine) -> bool:
    """Whether the database is at ``HEAD`` already (False for a new or an older one)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # no alembic_version table yet: a new database
        return False
    return [row[0] for row in rows] == [HEAD]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` in one transaction, serialized across processes
    (nothing to do, and nothing locked, when it is at ``HEAD`` already)."""
    if revision == "head" and is_current(engine):
        return
    from alembic import command

    with begin_write(engine) as conn:
        lock_for_migration(conn)
        command.upgrade(alembic_config(conn), revision)


def head_revision() -> str | None:
    """The newest revision the packaged scripts know about."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def schema_diff(conn: Connection) -> list[Any]:
    """Differences autogenerate finds between the database and the models (empty = in sync)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(
        conn, opts={"include_name": include_name, "compare_type": True}
    )
    return list(compare_metadata(context, target_metadata))
