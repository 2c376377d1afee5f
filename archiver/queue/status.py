"""The queue's health for ``archiver status``: jobs per queue and state, workers alive,
stalled jobs, and the failed jobs (the last few, with their arguments).

Read straight from procrastinate's tables with one connection; nothing here
touches archiver's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from archiver.config import Settings
from archiver.errors import StoreError
from archiver.queue.app import require_postgres
from archiver.store.engine import describe_db_error

FAILED_SHOWN = 5

_QUEUES = """
SELECT queue_name, status::text AS status, count(*) AS n
  FROM procrastinate_jobs GROUP BY queue_name, status ORDER BY queue_name
"""
_WORKERS = """
SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => %(secs)s)) AS alive,
       count(*) FILTER (WHERE last_heartbeat < now() - make_interval(secs => %(secs)s)) AS silent
  FROM procrastinate_workers
"""
_STALLED = """
SELECT count(*) AS n FROM procrastinate_jobs j
  LEFT JOIN procrastinate_workers w ON w.id = j.worker_id
 WHERE j.status = 'doing'
   AND (j.worker_id IS NULL OR w.last_heartbeat < now() - make_interval(secs => %(secs)s))
"""
_FAILED = """
SELECT j.id, j.queue_name, j.task_name, j.args, j.attempts,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS at
  FROM procrastinate_jobs j WHERE j.status = 'failed' ORDER BY j.id DESC LIMIT %(limit)s
"""


@dataclass(frozen=True, slots=True)
class FailedJob:
    id: int
    queue: str
    task: str
    args: dict[str, Any]
    attempts: int
    at: datetime | None


@dataclass(frozen=True, slots=True)
class QueueReport:
    queues: dict[str, dict[str, int]] = field(default_factory=dict)  # queue -> status -> jobs
    workers_alive: int = 0
    workers_silent: int = 0
    stalled: int = 0
    failed: tuple[FailedJob, ...] = ()

    @property
    def failed_total(self) -> int:
        return sum(states.get("failed", 0) for states in self.queues.values())

    @classmethod
    def read(cls, settings: Settings) -> QueueReport:
        return _read(cls, settings)

    def lines(self) -> list[str]:
        return status_lines(self)

    def as_json(self) -> dict[str, Any]:
        return status_json(self)


def _read(cls: type[QueueReport], settings: Settings) -> QueueReport:
    conninfo = require_postgres(settings)
    secs = settings.daemon.stalled_after
    try:
        with psycopg.connect(conninfo, autocommit=True, row_factory=dict_row) as conn:
            queues: dict[str, dict[str, int]] = {}
            for row in conn.execute(_QUEUES):
                queues.setdefault(row["queue_name"], {})[row["status"]] = int(row["n"])
            workers = conn.execute(_WORKERS, {"secs": secs}).fetchone() or {}
            stalled = conn.execute(_STALLED, {"secs": secs}).fetchone() or {}
            failed = tuple(
                FailedJob(r["id"], r["queue_name"], r["task_name"], r["args"], r["attempts"],
                          r["at"])
                for r in conn.execute(_FAILED, {"limit": FAILED_SHOWN})
            )  # fmt: skip
    except psycopg.errors.UndefinedTable as exc:
        raise StoreError("the job queue's tables do not exist yet: run `archiver migrate`") from exc
    except psycopg.Error as exc:
        raise StoreError(f"reading the job queue: {describe_db_error(exc)}") from exc
    return cls(
        queues, int(workers.get("alive") or 0), int(workers.get("silent") or 0),
        int(stalled.get("n") or 0), failed,
    )  # fmt: skip


STATES = ("todo", "doing", "failed", "succeeded")


def status_lines(view: QueueReport) -> list[str]:
    lines = [
        f"queue: workers alive: {view.workers_alive}  stalled jobs: {view.stalled}  "
        f"failed jobs: {view.failed_total}"
    ]
    for name, states in sorted(view.queues.items()):
        counts = "  ".join(f"{s.replace('todo', 'queued').replace('doing', 'running')}: "
                           f"{states.get(s, 0)}" for s in STATES)  # fmt: skip
        lines.append(f"  {name:<12} {counts}")
    for job in view.failed:
        args = ", ".join(f"{k}={v!r}" for k, v in job.args.items())
        when = f" at {job.at:%Y-%m-%d %H:%M:%S}" if job.at else ""
        lines.append(f"  failed: {job.task}({args}) after {job.attempts} attempts{when}")
    return lines


def status_json(view: QueueReport) -> dict[str, Any]:
    return {
        "workers_alive": view.workers_alive,
        "workers_silent": view.workers_silent,
        "stalled": view.stalled,
        "failed_total": view.failed_total,
        "queues": {name: {s: states.get(s, 0) for s in STATES}
                   for name, states in sorted(view.queues.items())},
        "failed": [
            {"id": j.id, "queue": j.queue, "task": j.task, "args": j.args,
             "attempts": j.attempts, "at": j.at.isoformat() if j.at else None}
            for j in view.failed
        ],
    }  # fmt: skip
