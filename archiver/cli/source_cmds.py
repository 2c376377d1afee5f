"""``archiver source ...`` and ``archiver status``."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import click

from archiver.browse_json import poll_json, recheck_json, source_json
from archiver.cli import render
from archiver.cli.app import (
    AppContext,
    cli,
    echo_rows,
    json_option,
    jsonl_option,
    pass_app,
    progress_bar,
    progress_option,
    want_progress,
)
from archiver.durations import format_duration
from archiver.notify.status import webhook_json, webhook_lines
from archiver.records.articles import RecheckHealth, SourceView
from archiver.records.learning import ExtractionHealth
from archiver.sources.specs import KINDS, make_spec

if TYPE_CHECKING:
    from archiver.queue.status import QueueReport
    from archiver.sources.poll import PollResult

HEALTH_KEYS = ("empty", "short", "dateless")


def _schedule(source: SourceView) -> str:
    if source.cron:
        return f"cron {source.cron}"
    return f"every {format_duration(source.every_seconds or 0)}"


def source_text(source: SourceView) -> str:
    state = "paused" if source.paused else "active"
    health = (
        f"failing x{source.consecutive_failures}: {source.last_error}"
        if source.consecutive_failures
        else f"ok, last poll {render.stamp(source.last_poll_at) or 'never'}"
    )
    text = (
        f"{source.name:<20} {source.kind:<8} {_schedule(source):<18} {state:<7} "
        f"{source.article_count:>5} articles  {health}\n{'':<20} {source.url}"
    )
    warned = source.last_error and source.last_error_at == source.last_poll_at
    if warned and not source.consecutive_failures:  # a poll that worked, with failed URLs
        text += f"\n{'':<20} last poll: {source.last_error}"
    if source.links_skipped:
        reasons = Counter(reason for _, reason in source.skipped)
        why = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
        shown = "" if len(source.skipped) == source.links_skipped else " of the first shown"
        text += f"\n{'':<20} {source.links_skipped} links skipped ({why}{shown}; named in --json)"
    return text


def health_json(health: ExtractionHealth | None) -> dict[str, Any] | None:
    """Extraction health of a source's last polls (None: no extraction recorded yet)."""
    if health is None:
        return None
    base = health.baseline
    return {"polls": health.polls, "extracted": health.extracted, "empty": round(health.empty, 3),
            "short": round(health.short, 3), "dateless": round(health.dateless, 3),
            "baseline": None if base is None else dict(zip(HEALTH_KEYS, base, strict=True)),
            "jumped": health.jumped}  # fmt: skip


def health_text(health: ExtractionHealth) -> str:
    values = (health.empty, health.short, health.dateless)
    shares = ", ".join(f"{v:.0%} {k}" for k, v in zip(HEALTH_KEYS, values, strict=True))
    line = f"extraction, last {health.polls} polls ({health.extracted} pages): {shares}"
    return f"{line}  JUMPED: site redesign?" if health.jumped else line


@cli.group()
def source() -> None:
    """Manage sources: feeds, sitemaps, section pages and single URLs."""


@source.command("add")
@click.argument("url")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="What the URL is.")
@click.option("--every", help="Poll interval: 30s, 15m, 2h, 1d.")
@click.option("--cron", help='Poll on a crontab schedule (UTC), e.g. "*/10 * * * *".')
@click.option("--name", help="Unique name (default: the URL's host).")
@click.option("--include", help="Only article URLs matching this regular expression.")
@click.option("--exclude", help="Skip article URLs matching this regular expression.")
@json_option
@pass_app
def source_add(
    app: AppContext,
    url: str,
    kind: str,
    every: str | None,
    cron: str | None,
    name: str | None,
    include: str | None,
    exclude: str | None,
    as_json: bool,
) -> None:
    """Add a source; a running daemon picks it up within daemon.reload_every."""
    spec = make_spec(
        url, kind=kind, name=name, every=every, cron=cron, include=include, exclude=exclude
    )
    with app.store() as store:
        added = store.add_source(spec)
    click.echo(render.dumps(source_json(added)) if as_json else f"added source {added.name}")


@source.command("list")
@json_option
@jsonl_option
@pass_app
def source_list(app: AppContext, as_json: bool, jsonl: bool) -> None:
    """List sources with their schedule and health (--json: one array)."""
    with app.store() as store:
        sources = store.sources()
    if as_json or jsonl:
        echo_rows((source_json(item) for item in sources), jsonl=jsonl)
        return
    for item in sources:
        click.echo(source_text(item))


@source.command("remove")
@click.argument("name")
@pass_app
def source_remove(app: AppContext, name: str) -> None:
    """Remove a source (its archived articles stay)."""
    with app.store() as store:
        store.remove_source(name)
    click.echo(f"removed source {name}")


@source.command("pause")
@click.argument("name")
@pass_app
def source_pause(app: AppContext, name: str) -> None:
    """Stop polling a source until it is resumed."""
    _set_paused(app, name, paused=True)


@source.command("resume")
@click.argument("name")
@pass_app
def source_resume(app: AppContext, name: str) -> None:
    """Resume polling a paused source."""
    _set_paused(app, name, paused=False)


def _set_paused(app: AppContext, name: str, *, paused: bool) -> None:
    with app.store() as store:
        store.set_paused(name, paused)
    click.echo(f"{'paused' if paused else 'resumed'} source {name}")


def poll_text(result: PollResult, seconds: float) -> str:
    from archiver.cli.archive_cmds import took

    if result.unchanged:
        return f"{result.source}: unchanged since the last poll, 0 new"
    return (f"{result.source}: {result.found} found, {result.new} new, {result.failed} failed "
            f"in {took(seconds)}")  # fmt: skip


def skipped_text(result: PollResult) -> str:
    """ "n: 12 links skipped: 7 another site, 5 excluded" (each named in --json)."""
    reasons = Counter(k.reason for k in result.skipped)
    why = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
    return f"{result.source}: {len(result.skipped)} links skipped: {why} (named in --json)"


@source.command("run")
@click.argument("name")
@json_option
@progress_option
@pass_app
def source_run(app: AppContext, name: str, as_json: bool, progress: bool | None) -> None:
    """Poll a source once now (with a progress bar on a terminal).

    Each article URL archived is printed as soon as it is done (errors on stderr),
    then the poll's line; --json prints one object, its failed URLs in "failures".
    Ctrl-C stops the poll: what finished is summed up (exit 130)."""
    # The archive step, the fetcher and the batch report load here, not for `status`.
    from archiver.archive import open_services
    from archiver.cli.archive_cmds import BatchReport
    from archiver.sources.poll import poll_source

    report = BatchReport(lines=not as_json)
    todo = 0

    def count(done: int, total: int) -> None:
        nonlocal todo
        todo = total

    async def run() -> PollResult:
        async with open_services(app.settings) as services:
            found = await asyncio.to_thread(services.store.source, name)
            on_done = None if found.kind == "url" else report.done  # its error is the poll's
            if not want_progress(progress):
                return await poll_source(found, services, progress=count, on_done=on_done)
            with report.drawing(progress_bar(f"polling {name}")) as bar:
                task = bar.add_task("poll", total=None)

                def advance(done: int, total: int) -> None:
                    count(done, total)
                    bar.update(task, completed=done, total=total)

                return await poll_source(found, services, progress=advance, on_done=on_done)

    try:
        result = asyncio.run(run())
    except KeyboardInterrupt:
        click.echo(f"{name}: {report.summary(of=max(todo, report.total))}", err=as_json)
        sys.exit(130)
    if as_json:
        click.echo(render.dumps(poll_json(result)))
    elif result.error is None:
        click.echo(poll_text(result, time.monotonic() - report.started))
        if result.skipped:
            click.echo(skipped_text(result))
        for warning in result.warnings:
            click.echo(f"archiver: warning: source {name}: {warning}", err=True)
    if result.error is not None:
        click.echo(f"archiver: error: source {name}: {result.error}", err=True)
        sys.exit(1)


@cli.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Archive counts, the health of every source and of the re-checks."""
    with app.store() as store:
        view = store.status()
        health = store.extraction_health()
        rechecks = store.recheck_health()
        hooks = store.outbox.summary([h.label for h in app.settings.notify.webhook])
    jobs = _queue_status(app)
    counts = {"articles": view.articles, "versions": view.versions, "captures": view.captures,
              "bodies": view.bodies, "due_checks": view.due_checks}  # fmt: skip
    if as_json:
        rows = [
            {**source_json(s), "extraction": health_json(health.get(s.id))} for s in view.sources
        ]
        queue = {} if jobs is None else {"queue": jobs.as_json()}
        webhooks = {"webhooks": webhook_json(hooks)} if hooks else {}
        click.echo(render.dumps({**counts, "sources": rows, "rechecks": recheck_json(rechecks),
                                 **queue, **webhooks}))  # fmt: skip
        return
    click.echo("  ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
    for item in view.sources:
        click.echo(source_text(item))
        if item.id in health:
            click.echo(f"{'':<20} {health_text(health[item.id])}")
    for line in recheck_text(rechecks):
        click.echo(line)
    for line in jobs.lines() if jobs is not None else []:
        click.echo(line)
    for line in webhook_lines(hooks):
        click.echo(line)


def _queue_status(app: AppContext) -> QueueReport | None:
    """The job queue's health, with daemon.queue = procrastinate (archiver.queue.status)."""
    if app.settings.daemon.queue != "procrastinate":
        return None
    from archiver.queue.status import QueueReport  # psycopg's queue tables: only when on

    return QueueReport.read(app.settings)


def recheck_text(health: RecheckHealth) -> list[str]:
    """The re-check health as lines: nothing when no article is flagged or failing."""
    lines = []
    if health.flagged_total:
        lines.append(f"re-checks: {health.flagged_total} articles flagged: versions with tiny "
                     "diffs on re-checks in a row (no longer re-checked faster)")  # fmt: skip
        lines += [f"  {f.url}  {f.tiny_streak} tiny versions in a row" for f in health.flagged]
    if health.failing_total:
        lines.append(f"re-checks: {health.failing_total} articles whose checks fail (retried)")
        lines += [f"  {f.url}  failed x{f.failures}: {f.error}" for f in health.failing]
    shown = len(health.flagged) + len(health.failing)
    if shown < health.flagged_total + health.failing_total:
        lines.append("  (the articles first in line are listed, not all)")
    return lines
