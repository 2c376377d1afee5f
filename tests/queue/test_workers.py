"""A scheduler and three ``archiver worker`` processes archive a two-host news site.

Feed, sitemap and page sources of each host list the same stories, so polls on
different workers race for the same URLs: every article must still be archived
exactly once, an edit must become a version through a re-check job, and no row
may be doubled (checked with SQL on the database itself).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.daemon.newssite import NewsSite
from tests.localsite import LocalSite
from tests.queue.conftest import Cluster, Db, stop_all, until

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)

HOSTS = ("127.0.0.1", "127.0.0.2")
SOURCES = {"feed": "/rss.xml", "sitemap": "/sitemap_index.xml", "page": "/world/"}


@pytest.fixture
def sites() -> Iterator[list[NewsSite]]:
    with LocalSite(HOSTS[0]) as one, LocalSite(HOSTS[1]) as two:
        yield [NewsSite(one), NewsSite(two)]


def sources_of(sites: list[NewsSite]) -> list[tuple[str, str, str]]:
    return [(f"{kind}-{n}", kind, news.url(path))
            for n, news in enumerate(sites) for kind, path in SOURCES.items()]  # fmt: skip


def assert_no_duplicates(db: Db) -> None:
    assert db.value(
        "SELECT count(*) FROM (SELECT canonical_url FROM article GROUP BY canonical_url "
        "HAVING count(*) > 1) d"
    ) == 0  # fmt: skip
    assert db.value(
        "SELECT count(*) FROM (SELECT url FROM alias GROUP BY url HAVING count(*) > 1) d"
    ) == 0  # fmt: skip
    assert db.value(
        "SELECT count(*) FROM (SELECT article_id, seq FROM version GROUP BY article_id, seq "
        "HAVING count(*) > 1) d"
    ) == 0  # fmt: skip
    # A version per distinct text: an article never holds the same text twice in a row.
    assert db.value(
        "SELECT count(*) FROM version a JOIN version b ON a.article_id = b.article_id "
        "AND b.seq = a.seq + 1 AND a.text_hash = b.text_hash"
    ) == 0  # fmt: skip


_RUNS = """
SELECT j.id, j.lock, min(e.at) FILTER (WHERE e.type = 'started') AS began,
       max(e.at) FILTER (WHERE e.type IN ('succeeded', 'failed')) AS ended
  FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
 WHERE j.task_name = %(task)s GROUP BY j.id, j.lock
"""


def overlapping_runs(db: Db, task: str) -> int:
    """Pairs of the task's jobs with one lock whose runs overlapped in time."""
    return int(db.value(
        f"WITH runs AS ({_RUNS}) SELECT count(*) FROM runs a JOIN runs b "
        "ON a.lock = b.lock AND a.id < b.id AND a.began < b.ended AND b.began < a.ended",
        {"task": task},
    ))  # fmt: skip


def test_three_workers_archive_each_article_once(
    cluster: Cluster, db: Db, sites: list[NewsSite]
) -> None:
    for news in sites:
        for seed in range(4):
            news.publish(f"story-{seed}", seed)
    migrated = cluster.cli("migrate")
    assert migrated.code == 0, migrated.err
    assert "job queue schema: created" in migrated.out
    cluster.sources(*sources_of(sites))

    workers = [cluster.start("worker", "--concurrency", "2") for _ in range(3)]
    scheduler = cluster.start("run")
    until(lambda: db.value("SELECT count(*) FROM article") == 8, 120, "8 articles archived")
    until(
        lambda: db.value("SELECT count(*) FROM source WHERE last_poll_at IS NULL") == 0,
        30, "every source polled",
    )  # fmt: skip
    assert db.value("SELECT count(*) FROM version") == 8

    sites[0].edit("story-1", "A correction was appended to this story on Tuesday.")
    sites[1].edit("story-2", "The minister resigned later that evening, officials said.")
    edited = (sites[0].url(sites[0].article_path("story-1")),
              sites[1].url(sites[1].article_path("story-2")))  # fmt: skip
    until(
        lambda: db.value(
            "SELECT count(*) FROM article a JOIN version v ON v.article_id = a.id "
            "WHERE a.canonical_url = ANY(%(urls)s) AND v.seq = 2", {"urls": list(edited)},
        ) == 2,
        60, "both edits stored as second versions",
    )  # fmt: skip
    rechecks = db.value(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'recheck_article' "
        "AND status = 'succeeded'"
    )  # fmt: skip
    assert rechecks >= 2

    for proc, code in zip([scheduler, *workers], stop_all(scheduler, *workers), strict=True):
        assert code == 0, proc.text()
    assert_no_duplicates(db)
    assert db.value("SELECT count(*) FROM article") == 8
    # Only edited articles got a second version; the rest kept one.
    assert db.value("SELECT count(*) FROM version") == 10
    assert db.value("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 0
    polls = db.value("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'poll_source'")
    assert polls > len(SOURCES) * 2  # every source polled more than once, yet never twice at once
    assert overlapping_runs(db, "poll_source") == 0
    assert overlapping_runs(db, "recheck_article") == 0
    busy = [w for w in workers if "polled" in w.text()]
    assert len(busy) >= 2, "polls were not spread over the workers"
    assert "Traceback" not in scheduler.text() + "".join(w.text() for w in workers)
    status = cluster.cli("status")
    assert status.code == 0, status.err
    assert "queue: workers alive: 0" in status.out  # all three unregistered at stop
    assert "polls" in status.out and "rechecks" in status.out
