"""Store fixtures: every store test runs on SQLite, and on PostgreSQL when asked.

Set ``ARCHIVER_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) to add the PostgreSQL
run. Each PostgreSQL test gets a fresh schema of its own (selected through the
connection's ``search_path``) that is dropped afterwards, so tests are isolated
and repeatable. An unreachable server fails the tests rather than skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from archiver.store import Store

POSTGRES_ENV = "ARCHIVER_TEST_POSTGRES_URL"


def backends() -> list[object]:
    """The databases a store test runs on: SQLite, and PostgreSQL when asked."""
    backends: list[object] = ["sqlite"]
    if os.environ.get(POSTGRES_ENV):
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return backends


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database on ``backend`` (a fresh PostgreSQL schema, dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    base = os.environ[POSTGRES_ENV]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(params=backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (nothing migrated yet)."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated, empty store."""
    with Store(db_url) as opened:
        yield opened
