"""Queueing locks and the scheduler's skips, on a real queue (PostgreSQL, procrastinate):
at most one job waiting per source, URL and article, and none queued behind a running one."""

from __future__ import annotations

import pytest

from archiver.config import load_settings
from archiver.queue.app import build_app, ensure_schema
from archiver.queue.defer import JobQueue, defer_archive
from archiver.records.articles import DueCheck
from tests.queue.conftest import Cluster, Db

pytestmark = pytest.mark.anyio

URL = "http://news.test/a/1"


async def test_one_job_waits_per_source_url_and_article(cluster: Cluster, db: Db) -> None:
    settings = load_settings()
    assert await ensure_schema(settings)
    app = build_app(settings)
    async with app.open_async():
        assert await defer_archive(app, URL, None)
        assert not await defer_archive(app, URL, None)  # its queueing lock: already waiting
        assert await defer_archive(app, "http://news.test/a/2", None)

        queue = JobQueue(app)
        assert await queue.defer_poll("feed")
        assert not await queue.defer_poll("feed")
        due = [DueCheck(1, URL), DueCheck(1, URL), DueCheck(2, "http://news.test/a/2")]
        assert await queue.defer_rechecks(due) == 2
        assert await queue.defer_rechecks(due) == 0

        # A running poll (fetched by a worker) is not queued again behind itself.
        worker = await app.job_manager.register_worker()
        job = await app.job_manager.fetch_job(queues=["polls"], worker_id=worker)
        assert job is not None and job.task_kwargs == {"source": "feed"}
        assert not await queue.defer_poll("feed")
        assert await queue.defer_poll("other")

    jobs = db.rows("SELECT task_name, queue_name, lock, queueing_lock FROM procrastinate_jobs "
                   "ORDER BY id")  # fmt: skip
    assert jobs == [
        {"task_name": "archive_url", "queue_name": "archive", "lock": f"url:{URL}",
         "queueing_lock": f"url:{URL}"},
        {"task_name": "archive_url", "queue_name": "archive", "lock": "url:http://news.test/a/2",
         "queueing_lock": "url:http://news.test/a/2"},
        {"task_name": "poll_source", "queue_name": "polls", "lock": "source:feed",
         "queueing_lock": "source:feed"},
        {"task_name": "recheck_article", "queue_name": "rechecks", "lock": "article:1",
         "queueing_lock": "article:1"},
        {"task_name": "recheck_article", "queue_name": "rechecks", "lock": "article:2",
         "queueing_lock": "article:2"},
        {"task_name": "poll_source", "queue_name": "polls", "lock": "source:other",
         "queueing_lock": "source:other"},
    ]  # fmt: skip
