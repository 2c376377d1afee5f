"""The schema comes only from migrations, and matches the SQLModel models exactly."""

from __future__ import annotations

import subprocess
import sys

from alembic import command
from sqlalchemy import inspect, text

from archiver.store import Store
from archiver.store.engine import begin_write, make_engine
from archiver.store.migrate import (
    HEAD,
    alembic_config,
    current_revision,
    head_revision,
    is_current,
    schema_diff,
    upgrade,
)
from archiver.store.models import TABLES
from tests.store.factories import record


def test_migrations_create_schema_from_empty(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert not set(inspect(engine).get_table_names()) & set(TABLES)
        upgrade(engine)
        names = set(inspect(engine).get_table_names())
        assert set(TABLES) <= names
        assert "article_fts" in names
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision() == "0012"
    finally:
        engine.dispose()


def test_autogenerate_finds_no_difference_with_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert schema_diff(conn) == []
    finally:
        engine.dispose()


def test_autogenerate_comparison_does_see_drift(db_url: str) -> None:
    """Guards the test above: a real difference is reported, FTS objects are not."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with begin_write(engine) as conn:
            conn.execute(text("DROP INDEX ix_article_site_first_seen"))
        with engine.connect() as conn:
            diff = schema_diff(conn)
        assert [d[0] for d in diff] == ["add_index"]
        assert diff[0][1].name == "ix_article_site_first_seen"
    finally:
        engine.dispose()


def test_opening_twice_is_idempotent_and_keeps_data(db_url: str) -> None:
    with Store(db_url) as store:
        record(store, "https://news.example/a", "some text")
    with Store(db_url) as store:
        assert store.counts()["articles"] == 1


def test_store_without_migrate_does_not_touch_schema(db_url: str) -> None:
    with Store(db_url, migrate=False):
        pass
    engine = make_engine(db_url)
    try:
        assert "article" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with begin_write(engine) as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not set(inspect(engine).get_table_names()) & {*TABLES, "article_fts"}
        upgrade(engine)
        with engine.connect() as conn:
            assert schema_diff(conn) == []
    finally:
        engine.dispose()


def test_head_constant_is_the_newest_script() -> None:
    assert head_revision() == HEAD


def test_an_older_schema_is_still_brought_to_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0011")
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
    finally:
        engine.dispose()


def test_opening_a_current_archive_loads_no_alembic(db_url: str) -> None:
    Store(db_url).close()  # migrated here
    probe = (
        "import sys\n"
        "from archiver.store import Store\n"
        f"Store({db_url!r}).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False", run.stderr
