"""Failures of a scaled-out archive: a worker killed mid-job, the database dropping every
connection, a job that keeps failing. Nothing is lost, nothing doubled, nothing silent."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy.engine import make_url

from tests.daemon.newssite import NewsSite
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.queue.conftest import POSTGRES_ENV, Cluster, Db, stop_all, until
from tests.queue.test_workers import assert_no_duplicates

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def news() -> Iterator[NewsSite]:
    with LocalSite() as site:
        yield NewsSite(site)


def _send(req: BaseHTTPRequestHandler, html: str) -> None:
    body = html.encode()
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


def test_worker_killed_mid_job_the_job_is_retried(cluster: Cluster, db: Db, news: NewsSite) -> None:
    news.publish("story-0", 0)
    url = news.publish("story-1", 1)
    path = news.article_path("story-1")
    page = seed_page(1, url=url).html
    released = threading.Event()

    def held(req: BaseHTTPRequestHandler) -> None:  # the first worker dies while it waits here
        while not released.is_set() and not news.site.stopping.is_set():
            released.wait(0.05)
        _send(req, page)

    news.site.handle(path, held)
    assert cluster.cli("migrate").code == 0
    cluster.sources(("feed", "feed", news.url("/rss.xml")))
    doomed = cluster.start("worker", "--concurrency", "1")
    scheduler = cluster.start("run")
    until(lambda: news.site.hits_for(path), 120, "the first worker to fetch the held article")
    doomed.kill()  # kill -9, in the middle of the poll job
    released.set()
    assert db.value("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 1

    survivor = cluster.start("worker", "--concurrency", "1")
    until(lambda: db.value("SELECT count(*) FROM article") == 2, 120, "both articles archived")
    until(
        lambda: db.value("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 0,
        30, "the retried poll to end",
    )  # fmt: skip
    polls = db.rows("SELECT status::text, attempts FROM procrastinate_jobs "
                    "WHERE task_name = 'poll_source' ORDER BY id")  # fmt: skip
    assert polls[0] == {"status": "succeeded", "attempts": 2}  # run by both workers, in turn
    assert "stalled (its worker died): retried" in survivor.text()
    assert stop_all(scheduler, survivor) == [0, 0], scheduler.text() + survivor.text()
    assert db.value("SELECT count(*) FROM version") == 2
    assert_no_duplicates(db)


def test_database_drops_every_connection_and_all_carry_on(
    cluster: Cluster, db: Db, news: NewsSite
) -> None:
    news.publish("story-0", 0)
    assert cluster.cli("migrate").code == 0
    cluster.sources(("feed", "feed", news.url("/rss.xml")))
    workers = [cluster.start("worker", "--concurrency", "2") for _ in range(2)]
    scheduler = cluster.start("run")
    until(lambda: db.value("SELECT count(*) FROM article") == 1, 120, "the first article")

    assert db.terminate_all() >= 3  # the scheduler's lock, the workers' pools and listeners
    until(lambda: "scheduler lock taken again" in scheduler.text(), 30, "the lock re-taken")
    news.publish("story-1", 1)
    news.publish("story-2", 2)
    until(lambda: db.value("SELECT count(*) FROM article") == 3, 120, "articles after the cut")

    procs = [scheduler, *workers]
    assert stop_all(*procs) == [0, 0, 0], "".join(p.text() for p in procs)
    assert "Traceback" not in "".join(p.text() for p in procs)
    assert_no_duplicates(db)


RESTART_ENV = "ARCHIVER_TEST_PG_RESTART"
LOCAL_CLUSTER = ("127.0.0.1", 5432)


def restart_refused(url: str | None) -> str | None:
    """Why this machine's PostgreSQL cannot be restarted by a test (None: it can).

    It runs by default where it can, as in CI: as root, with Debian's ``pg_ctlcluster``,
    on the local cluster at 127.0.0.1:5432. ``ARCHIVER_TEST_PG_RESTART=0`` turns it off
    (say, when other PostgreSQL users share the server)."""
    if os.environ.get(RESTART_ENV) == "0":
        return f"{RESTART_ENV}=0"
    if not url:
        return f"{POSTGRES_ENV} not set"
    where = make_url(url)
    if (where.host, where.port or 5432) != LOCAL_CLUSTER:
        return f"the test database is not the local cluster at 127.0.0.1:5432 ({where.host})"
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root"
    if shutil.which("pg_ctlcluster") is None or not os.path.isdir("/etc/postgresql"):
        return "pg_ctlcluster (Debian's postgresql-common) is not installed"
    return None


def _restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip


RESTART_REFUSED = restart_refused(os.environ.get(POSTGRES_ENV))


@pytest.mark.skipif(
    RESTART_REFUSED is not None, reason=f"restarts the whole PostgreSQL server: {RESTART_REFUSED}"
)
def test_postgres_restarted_during_a_run_all_reconnect(
    cluster: Cluster, db: Db, news: NewsSite
) -> None:
    news.publish("story-0", 0)
    assert cluster.cli("migrate").code == 0
    cluster.sources(("feed", "feed", news.url("/rss.xml")))
    workers = [cluster.start("worker", "--concurrency", "2") for _ in range(2)]
    scheduler = cluster.start("run")
    until(lambda: db.value("SELECT count(*) FROM article") == 1, 120, "the first article")

    _restart_postgres()
    until(lambda: "scheduler lock taken again" in scheduler.text(), 60, "the lock re-taken")
    news.publish("story-1", 1)
    until(lambda: db.value("SELECT count(*) FROM article") == 2, 120, "an article after it")
    procs = [scheduler, *workers]
    assert stop_all(*procs) == [0, 0, 0], "".join(p.text() for p in procs)
    assert "Traceback" not in "".join(p.text() for p in procs)
    assert_no_duplicates(db)


def test_a_job_that_keeps_failing_ends_failed_in_status(
    cluster: Cluster, db: Db, news: NewsSite
) -> None:
    url = news.publish("hangs", 0)
    news.site.handle(news.article_path("hangs"), lambda req: news.site.stopping.wait(5))
    cluster.env.update({
        "ARCHIVER_FETCH__TOTAL_TIMEOUT": "0.5", "ARCHIVER_FETCH__READ_TIMEOUT": "0.4",
        "ARCHIVER_DAEMON__TIMEOUT_RETRY_AFTER": "1s", "ARCHIVER_DAEMON__JOB_RETRIES": "1",
    })  # fmt: skip
    assert cluster.cli("migrate").code == 0
    cluster.sources(("feed", "feed", news.url("/rss.xml")))
    worker, scheduler = cluster.start("worker"), cluster.start("run")
    until(
        lambda: db.value("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 1,
        60, "the hung URL's archive job to fail",
    )  # fmt: skip
    failed = db.rows("SELECT task_name, args, attempts FROM procrastinate_jobs "
                     "WHERE status = 'failed'")  # fmt: skip
    assert failed[0]["task_name"] == "archive_url"
    assert failed[0]["args"]["url"] == url
    assert failed[0]["attempts"] == 2  # the first try and its one retry (job_retries = 1)

    status = cluster.cli("status", "--json").json()["queue"]
    assert status["failed_total"] == 1
    assert status["queues"]["archive"]["failed"] == 1
    assert status["failed"][0]["args"]["url"] == url
    text = cluster.cli("status").out
    assert f"failed: archive_url(url='{url}'" in text and "after 2 attempts" in text
    assert stop_all(scheduler, worker) == [0, 0], scheduler.text() + worker.text()
    assert "ended with status: Error, lasted" in worker.text()  # one line, with its cause
    assert "Traceback" not in worker.text()
