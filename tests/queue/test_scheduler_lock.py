"""One scheduler per database: a second ``archiver run`` on the same PostgreSQL database
is refused with one line, even from another data directory (the file lock cannot see it),
whichever the queue."""

from __future__ import annotations

import pytest

from tests.queue.conftest import Cluster, until

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("queue", ["procrastinate", "inline"])
def test_second_scheduler_on_one_database_refuses(cluster: Cluster, queue: str) -> None:
    cluster.env["ARCHIVER_DAEMON__QUEUE"] = queue
    cluster.monkeypatch.setenv("ARCHIVER_DAEMON__QUEUE", queue)
    migrated = cluster.cli("migrate")
    assert migrated.code == 0, migrated.err
    first = cluster.start("run", home=cluster.tmp / "home-a")
    until(lambda: "daemon started" in first.text(), 30, "the first scheduler to start")

    cluster.monkeypatch.setenv("ARCHIVER_HOME", str(cluster.tmp / "home-b"))
    second = cluster.cli("run")
    assert second.code == 1
    line = second.one_error_line()
    assert line.startswith("archiver: error: another scheduler already runs on this database")
    assert f"pid {first.popen.pid}" in line  # the holder, from pg_stat_activity

    assert first.stop() == 0, first.text()
    if queue == "inline":
        return
    third = cluster.start("run", home=cluster.tmp / "home-b")  # free again once it stopped
    until(lambda: "daemon started" in third.text(), 30, "a scheduler after the first stopped")
    assert third.stop() == 0, third.text()
