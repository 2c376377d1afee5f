"""``daemon.queue``: inline by default, procrastinate only on PostgreSQL; retry backoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from procrastinate.jobs import Job

from archiver.config import load_settings
from archiver.errors import ConfigError
from archiver.queue.tasks import Backoff
from tests.conftest import Run


def test_inline_is_the_default(archiver_env: object) -> None:
    assert load_settings().daemon.queue == "inline"


def test_procrastinate_on_sqlite_is_a_config_error(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVER_DAEMON__QUEUE", "procrastinate")
    with pytest.raises(ConfigError, match=r'"procrastinate" needs a PostgreSQL database_url'):
        load_settings()
    line = cli("status").one_error_line()
    assert "needs a PostgreSQL database_url (got sqlite)" in line


def test_unknown_queue_is_a_config_error(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVER_DAEMON__QUEUE", "celery")
    run = cli("status")
    assert run.code == 1
    assert "daemon.queue" in run.one_error_line()


def test_worker_without_the_queue_says_how_to_turn_it_on(cli: Callable[..., Run]) -> None:
    run = cli("worker")
    assert run.code == 1
    assert 'daemon.queue = "procrastinate"' in run.one_error_line()


def _job(attempts: int) -> Job:
    return Job(id=1, queue="archive", lock=None, queueing_lock=None, task_name="archive_url",
               task_kwargs={}, attempts=attempts)  # fmt: skip


def test_backoff_doubles_then_gives_up() -> None:
    backoff = Backoff(retries=3, first=10.0)
    waits = []
    for attempts in range(3):
        decision = backoff.get_retry_decision(exception=RuntimeError("x"), job=_job(attempts))
        assert decision is not None and decision.retry_at is not None
        waits.append((decision.retry_at - datetime.now(UTC)).total_seconds())
    assert [round(w) for w in waits] == [10, 20, 40]
    assert backoff.get_retry_decision(exception=RuntimeError("x"), job=_job(3)) is None
