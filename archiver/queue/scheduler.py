"""What ``archiver run`` holds besides its services: the database's scheduler lock and,
with ``daemon.queue = "procrastinate"``, the queue it defers jobs to.

SQLite with the inline queue: nothing (the data directory's file lock is enough,
and the runner behaves exactly as it always did). PostgreSQL: the advisory lock
of dblock.py, whichever the queue. procrastinate: an opened App as a JobQueue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from archiver.config import Settings
from archiver.queue.dblock import SchedulerLock, client_name

if TYPE_CHECKING:
    from archiver.queue.defer import JobQueue


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def scheduler_scope(
    settings: Settings, on_lost: Callable[[], None]
) -> AsyncIterator[JobQueue | None]:
    """Hold the scheduler lock (PostgreSQL) and yield the job queue (procrastinate mode)."""
    url = make_url(settings.db_url)
    if url.get_backend_name() != "postgresql":
        yield None
        return
    async with AsyncExitStack() as stack:
        lock = SchedulerLock(_libpq(settings.db_url), client_name("scheduler"), on_lost)
        await stack.enter_async_context(lock)
        if settings.daemon.queue != "procrastinate":
            yield None
            return
        from archiver.queue.app import build_app, require_postgres, require_schema
        from archiver.queue.defer import JobQueue

        require_postgres(settings)
        await require_schema(settings)
        app = build_app(settings, role="scheduler")
        await stack.enter_async_context(app.open_async())
        yield JobQueue(app)
