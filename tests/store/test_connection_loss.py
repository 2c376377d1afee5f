"""PostgreSQL drops the connection (restart, failover, a proxy's cut): one retry, no loss.

The server really terminates the backend (``pg_terminate_backend``) in the
middle of a transaction; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from archiver.errors import StoreError
from archiver.store import Store
from archiver.store.engine import run_read, run_write
from tests.fixtures.batchsites import batch_sites
from tests.store.conftest import POSTGRES_ENV
from tests.store.factories import record

# SQLite has no connection to lose: these run on PostgreSQL only (CI sets the URL).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"needs {POSTGRES_ENV}"),
    pytest.mark.parametrize("db_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def pg_url(db_url: str) -> str:
    return db_url


def _kill(session: Session) -> None:
    """Terminate this session's own backend from another connection."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(os.environ[POSTGRES_ENV])
    try:
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_write_whose_connection_dies_is_retried_once(pg_url: str) -> None:
    with Store(pg_url) as store:
        engine = store._engine
        attempts = 0

        def work(session: Session) -> int:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                _kill(session)
            return int(session.execute(text("SELECT count(*) FROM article")).scalar_one())

        assert run_write(engine, work) == 0
        assert attempts == 2
        attempts = 0
        assert run_read(engine, work) == 0 and attempts == 2

        def always(session: Session) -> int:
            _kill(session)
            return int(session.execute(text("SELECT 1")).scalar_one())

        with pytest.raises(StoreError, match="database"):
            store._write("testing", always)
        record(store, "https://news.example/a/1", "still writable afterwards")
        assert store.counts()["articles"] == 1


def test_a_retry_cut_again_gets_one_more_then_the_error_goes_up(pg_url: str) -> None:
    """Connections killed in waves: the retry itself can be cut (WRITE_RECONNECTS = 2)."""
    with Store(pg_url) as store:
        attempts = 0

        def twice(session: Session) -> int:
            nonlocal attempts
            attempts += 1
            if attempts <= 2:
                _kill(session)
            return int(session.execute(text("SELECT count(*) FROM article")).scalar_one())

        assert run_write(store._engine, twice) == 0
        assert attempts == 3
        attempts = 0

        def thrice(session: Session) -> int:
            nonlocal attempts
            attempts += 1
            _kill(session)
            return int(session.execute(text("SELECT 1")).scalar_one())

        with pytest.raises(StoreError, match="database"):
            store._write("testing", thrice)
        assert attempts == 3


def test_add_survives_killed_connections_and_reports_every_url(pg_url: str, tmp_path: Path) -> None:
    with batch_sites(2, 40) as (_, urls):
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
        target = f"{pg_url}&application_name=archiver-under-fire"
        env.update({"ARCHIVER_HOME": str(tmp_path / "home"), "ARCHIVER_DATABASE_URL": target,
                    "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVER_FETCH__PER_HOST_DELAY": "0",
                    "ARCHIVER_EXTRACT__WORKERS": "1"})  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "archiver", "add", "--json", "--from-file", str(listing)],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        lines: list[str] = []
        killed = 0
        admin = create_engine(os.environ[POSTGRES_ENV])
        try:
            for line in proc.stdout:
                lines.append(line)
                if len(lines) % 10 == 0:  # every 10 URLs: kill the command's connections
                    with admin.begin() as conn:
                        killed += conn.execute(
                            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE application_name = 'archiver-under-fire'")
                        ).scalar_one()  # fmt: skip
            stderr = proc.stderr.read() if proc.stderr else ""
            proc.wait(timeout=120)
        finally:
            admin.dispose()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    assert killed >= 3, killed
    assert proc.returncode == 0, stderr
    assert len(lines) == len(urls)
    # no stray driver warnings: stderr holds only the batch's summary line
    summary = rf"{len(urls)} URLs: {len(urls)} new, 0 updated, 0 unchanged, 0 duplicate, 0 errors"
    assert re.fullmatch(rf"{summary} in \d+(\.\d)? s\n", stderr), stderr
    outcomes: dict[str, Any] = {}
    for line in lines:
        row = json.loads(line)
        outcomes[row["url"]] = row["outcome"]
    assert set(outcomes) == set(urls) and set(outcomes.values()) == {"new"}
