"""``archiver migrate`` and ``archiver worker``: the commands of a scaled-out archive."""

from __future__ import annotations

import asyncio

import click

from archiver.cli.app import AppContext, cli, pass_app
from archiver.store.migrate import head_revision


@cli.command()
@pass_app
def migrate(app: AppContext) -> None:
    """Bring the database schema up to date (with daemon.queue = procrastinate: the job
    queue's tables too). Safe to run again, and from several machines at once."""
    with app.store():  # opening the store upgrades archiver's schema
        pass
    click.echo(f"archiver schema: revision {head_revision()}")
    if app.settings.daemon.queue == "procrastinate":
        from archiver.queue.app import ensure_schema

        created = asyncio.run(ensure_schema(app.settings))
        click.echo("job queue schema: " + ("created" if created else "present"))


@cli.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Jobs this worker runs at once.",
)
@click.option(
    "--queues",
    default="",
    metavar="Q1,Q2",
    help="Only these queues (polls, archive, rechecks, maintenance; default: all).",
)
@pass_app
def worker(app: AppContext, concurrency: int, queues: str) -> None:
    """Run archive jobs from the PostgreSQL queue until SIGINT/SIGTERM
    (daemon.queue = procrastinate; start `archiver run` once, workers anywhere)."""
    from archiver.queue.app import require_postgres
    from archiver.queue.worker import run_worker

    require_postgres(app.settings)
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    asyncio.run(run_worker(app.settings, concurrency=concurrency, queues=wanted or None))
