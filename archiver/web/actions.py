"""What the sources page, the article page and their API twins do: the same plain steps
the CLI runs (``archiver source run``, a re-check, ``source remove``), over the app's
services.

Errors from the shared checks (``archiver.sources.specs``) name CLI options
(``--every``); here they are reworded to name the web form's and the API's
fields (``every``), so a web user is never told about a flag they cannot type.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager

from archiver.archive import AddResult, Services, archive_url
from archiver.durations import parse_duration
from archiver.errors import InputError
from archiver.records.articles import SourceView
from archiver.sources.poll import PollResult, poll_source
from archiver.sources.specs import make_spec
from archiver.store import Store

_FLAG = re.compile(r"--(url|kind|name|every|cron|include|exclude)\b(?: (?:DURATION|EXPRESSION))?")


def field_words(message: str) -> str:
    """``message`` with the CLI's option names as the fields' names."""
    return _FLAG.sub(r"\1", message)


@contextmanager
def field_errors() -> Iterator[None]:
    """Re-raise an InputError of the shared checks naming fields, not CLI options."""
    try:
        yield
    except InputError as exc:
        raise type(exc)(field_words(str(exc))) from exc


def check_every(every: str | float | None) -> None:
    """A duration that is no duration, named as the ``every`` field."""
    if isinstance(every, str):
        try:
            parse_duration(every)
        except InputError as exc:
            raise InputError(f"every: {exc}") from exc


def _given(value: str | None) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else value


def set_schedule(
    store: Store, name: str, every: str | float | None, cron: str | None
) -> SourceView:
    """Give the source a new schedule (``every`` or ``cron``), checked like ``source add``."""
    source = store.source(name)
    every = _given(every) if isinstance(every, str) else every
    cron = _given(cron)
    check_every(every)
    with field_errors():
        spec = make_spec(
            source.url,
            kind=source.kind,
            name=source.name,
            every=every,
            cron=cron,
            include=source.include,
            exclude=source.exclude,
        )
    return store.set_schedule(name, spec.every_seconds, spec.cron)


async def poll_now(services: Services, name: str) -> PollResult:
    """Poll the source once now, as ``archiver source run`` does (paused or not)."""
    source = await asyncio.to_thread(services.store.source, name)
    return await poll_source(source, services)


def poll_line(result: PollResult) -> str:
    if result.error is not None:
        return f"Polling {result.source} failed: {result.error}"
    if result.unchanged:
        return f"Polled {result.source}: unchanged since the last poll, 0 new."
    line = f"Polled {result.source}: {result.found} found, {result.new} new, {result.failed} failed"
    return line + (f", {len(result.skipped)} links skipped." if result.skipped else ".")


def remove(store: Store, name: str) -> SourceView:
    """Remove the source (its articles stay); what it was, for the confirmation message."""
    removed = store.source(name)
    store.remove_source(name)
    return removed


async def check_now(services: Services, article_id: int) -> AddResult:
    """Re-check the article now: its canonical URL through the archive step, as the
    daemon's re-checks do (a new version if it changed, the ladder moves on if not)."""
    article = await asyncio.to_thread(services.store.article, article_id)
    return await archive_url(article.canonical_url, services)


def check_line(result: AddResult) -> str:
    if result.outcome == "error":
        return f"Checked now: {result.error}"
    if result.outcome == "updated":
        return f"Checked now: updated, version {result.version} is new."
    return f"Checked now: {result.outcome}."
