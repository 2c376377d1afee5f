"""``archiver migrate``: archiver's schema and procrastinate's, idempotent and safe to run
from several places at once."""

from __future__ import annotations

import pytest

from tests.queue.conftest import Cluster, Db

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)


def test_migrate_twice_at_once_then_again(cluster: Cluster, db: Db) -> None:
    first, second = cluster.start("migrate"), cluster.start("migrate")
    codes = [first.popen.wait(60), second.popen.wait(60)]
    assert codes == [0, 0], first.text() + second.text()
    assert db.value("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
    assert db.value("SELECT count(*) FROM alembic_version") == 1

    again = cluster.cli("migrate")
    assert again.code == 0, again.err
    assert "job queue schema: present" in again.out
    status = cluster.cli("status")
    assert status.code == 0, status.err
    assert "queue: workers alive: 0  stalled jobs: 0  failed jobs: 0" in status.out


def test_worker_before_migrate_says_so(cluster: Cluster) -> None:
    run = cluster.cli("worker")
    assert run.code == 1
    assert "run `archiver migrate` first" in run.one_error_line()
