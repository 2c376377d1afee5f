"""Queue tests: real PostgreSQL (a database of their own per test), real ``archiver``
processes (scheduler and workers), local news sites.

They need ``ARCHIVER_TEST_POSTGRES_URL`` (CI sets it; see .ci/run) and skip
without it. Each test creates a fresh database, so the scheduler's advisory
lock and procrastinate's tables never meet another test's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from tests.conftest import Run

POSTGRES_ENV = "ARCHIVER_TEST_POSTGRES_URL"
ARCHIVER = str(Path(sys.executable).parent / "archiver")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set: queue tests need PostgreSQL")
    name = f"archq_{uuid.uuid4().hex[:10]}"
    admin = _libpq(base)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Db:
    """SQL on the test's database (archiver's and procrastinate's tables)."""

    def __init__(self, url: str) -> None:
        self.conninfo = _libpq(url)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with psycopg.connect(self.conninfo, autocommit=True, row_factory=dict_row) as conn:
            return list(conn.execute(sql, params or {}))  # type: ignore[arg-type]

    def value(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def terminate_all(self) -> int:
        """Drop every connection to this database, as a restarted server would."""
        return int(
            self.value(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


@pytest.fixture
def db(pg_url: str) -> Db:
    return Db(pg_url)


@dataclass
class Proc:
    """One ``archiver`` process; its stderr goes to a file the test can read."""

    args: tuple[str, ...]
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout)

    def kill(self) -> None:
        self.popen.kill()
        self.popen.wait(10)


@dataclass
class Cluster:
    """The environment of an archive on one PostgreSQL database, and its processes.

    ``run`` and ``start`` run the venv's ``archiver`` as a process; ``cli`` runs it in
    this process (set up in the same environment), which saves the seconds of imports.
    """

    env: dict[str, str]
    tmp: Path
    cli: Callable[..., Run]
    monkeypatch: pytest.MonkeyPatch
    procs: list[Proc] = field(default_factory=list)

    def sources(self, *rows: tuple[str, str, str]) -> None:
        """Write the sources file the scheduler syncs at start: (name, kind, url) rows."""
        path = Path(self.env["ARCHIVER_DAEMON__SOURCES_FILE"])
        path.write_text("".join(
            f'[[source]]\nname = "{name}"\nkind = "{kind}"\nurl = "{url}"\nevery = "1s"\n\n'
            for name, kind, url in rows
        ))  # fmt: skip

    def run(
        self, *args: str, home: Path | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = self._env(home)
        return subprocess.run(
            [ARCHIVER, *args], env=env, capture_output=True, text=True, timeout=timeout,
            cwd=self.tmp,
        )  # fmt: skip

    def start(self, *args: str, home: Path | None = None, name: str = "") -> Proc:
        log = self.tmp / f"{name or args[0]}-{len(self.procs)}.log"
        with log.open("wb") as err:
            popen = subprocess.Popen(
                [ARCHIVER, *args], env=self._env(home), stdout=subprocess.DEVNULL, stderr=err,
                cwd=self.tmp,
            )  # fmt: skip
        proc = Proc(args, popen, log)
        self.procs.append(proc)
        return proc

    def _env(self, home: Path | None) -> dict[str, str]:
        env = dict(self.env)
        if home is not None:
            env["ARCHIVER_HOME"] = str(home)
        return env


@pytest.fixture
def cluster(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Run]
) -> Iterator[Cluster]:
    """Settings for fast tests: second-long heartbeats, retries and re-check rungs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    ours = {
        "ARCHIVER_HOME": str(tmp_path / "home"),
        "ARCHIVER_DATABASE_URL": pg_url,
        "ARCHIVER_DAEMON__QUEUE": "procrastinate",
        "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1",
        "ARCHIVER_FETCH__PER_HOST_DELAY": "0",
        "ARCHIVER_FETCH__RETRY_BACKOFF": "0.05",
        "ARCHIVER_EXTRACT__WORKERS": "1",
        "ARCHIVER_DAEMON__SOURCES_FILE": str(tmp_path / "none.toml"),
        "ARCHIVER_DAEMON__RELOAD_EVERY": "0.3s",
        "ARCHIVER_DAEMON__RECHECK_SCAN_EVERY": "0.3s",
        "ARCHIVER_DAEMON__RECHECK_LADDER": '["2s", "4s"]',
        "ARCHIVER_DAEMON__RECHECK_TAIL": "2s",  # then every 2 s: a late edit is still seen
        "ARCHIVER_DAEMON__WORKER_HEARTBEAT": "0.5",
        "ARCHIVER_DAEMON__STALLED_AFTER": "2",
        "ARCHIVER_DAEMON__STALLED_CHECK_EVERY": "1",
        "ARCHIVER_DAEMON__JOB_RETRY_AFTER": "0.2s",
        "ARCHIVER_DAEMON__SHUTDOWN_GRACE": "2",
    }  # fmt: skip
    env.update(ours)
    for key, value in ours.items():  # the in-process ``cli`` (its fixture set a few already)
        monkeypatch.setenv(key, value)
    found = Cluster(env, tmp_path, cli, monkeypatch)
    try:
        yield found
    finally:
        for proc in found.procs:
            if proc.popen.poll() is None:
                proc.kill()


def stop_all(*procs: Proc, timeout: float = 20) -> list[int]:
    """SIGTERM to every process at once, then their exit codes."""
    for proc in procs:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
    return [proc.popen.wait(timeout) for proc in procs]


def until(predicate: Callable[[], object], limit: float = 30.0, what: str = "") -> None:
    """Wait for a condition (checked every 100 ms), or fail saying what did not happen."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit}s waiting for {what or predicate}")
        time.sleep(0.1)
