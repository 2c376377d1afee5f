"""Sources: where URLs come from, what people configured about them, how their polls go.

Like ``writes`` and ``queries``, every function runs inside a transaction the
caller owns and is free of side effects outside the session.

``updated_at`` moves only when a spec changes (add, sync, pause), never on a
poll, so ``fingerprint`` is a cheap way for a running daemon to notice edits
made by another process. Each change stamps a time strictly after every stamp
already stored, so the fingerprint changes even if the clock steps back.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from archiver.errors import InputError, NotFoundError
from archiver.records.articles import SOURCE_KINDS, SourceSpec, SourceView
from archiver.store import health
from archiver.store.models import SOURCE_ORIGINS, Article, Capture, Source, utcnow

_TICK = timedelta(microseconds=1)
SKIPPED_KEPT = 50
"""Skipped links a source's health names (all are counted)."""


def validate(spec: SourceSpec) -> None:
    """Refuse a spec the store cannot hold (InputError); schedules and filters are not parsed."""
    if not spec.name.strip():
        raise InputError("a source needs a name")
    if spec.kind not in SOURCE_KINDS:
        raise InputError(
            f"source '{spec.name}': unknown kind '{spec.kind}' (use {', '.join(SOURCE_KINDS)})"
        )
    if not spec.url.strip():
        raise InputError(f"source '{spec.name}' needs a URL")
    seconds = spec.every_seconds
    if seconds is not None and not (math.isfinite(seconds) and round(seconds) >= 1):
        raise InputError(f"source '{spec.name}': polling interval must be at least 1 second")


def _columns(spec: SourceSpec) -> dict[str, Any]:
    """The spec as column values (``every_seconds`` is stored in whole seconds)."""
    every = None if spec.every_seconds is None else round(spec.every_seconds)
    return {
        "name": spec.name,
        "kind": spec.kind,
        "url": spec.url,
        "every_seconds": every,
        "cron": spec.cron,
        "include": spec.include,
        "exclude": spec.exclude,
        "paused": spec.paused,
    }


def _stamp(session: Session) -> datetime:
    """Now, or just after the newest stamp stored if the clock is behind it."""
    latest = session.exec(select(func.max(col(Source.updated_at)))).one()
    now = utcnow()
    return now if latest is None or now > latest else latest + _TICK


def get(session: Session, name: str, *, lock: bool = False) -> Source:
    stmt = select(Source).where(Source.name == name)
    row = session.exec(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise NotFoundError(f"no source named '{name}'")
    return row


def live_id(session: Session, source_id: int | None) -> int | None:
    """``source_id`` if that source still exists, else None (it was removed meanwhile).

    On PostgreSQL the row is held (``FOR KEY SHARE``) until the caller commits,
    so a concurrent removal waits and then unlinks what the caller wrote.
    """
    if source_id is None:
        return None
    return session.exec(
        select(Source.id).where(Source.id == source_id).with_for_update(read=True, key_share=True)
    ).first()


def _article_counts(session: Session, source_id: int | None = None) -> dict[int, int]:
    stmt = select(Article.source_id, func.count()).group_by(col(Article.source_id))
    if source_id is None:
        stmt = stmt.where(col(Article.source_id).is_not(None))
    else:
        stmt = stmt.where(Article.source_id == source_id)
    return {sid: int(n) for sid, n in session.exec(stmt) if sid is not None}


def _view(row: Source, article_count: int) -> SourceView:
    assert row.id is not None
    return SourceView(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        every_seconds=None if row.every_seconds is None else float(row.every_seconds),
        cron=row.cron,
        include=row.include,
        exclude=row.exclude,
        paused=row.paused,
        origin=row.origin,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_poll_at=row.last_poll_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        consecutive_failures=row.consecutive_failures,
        articles_found=row.articles_found,
        articles_new=row.articles_new,
        total_new=row.total_new,
        article_count=article_count,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        links_skipped=row.links_skipped,
        skipped=tuple((str(u), str(r)) for u, r in json.loads(row.skipped or "[]")),
    )


def view(session: Session, name: str) -> SourceView:
    row = get(session, name)
    assert row.id is not None
    return _view(row, _article_counts(session, row.id).get(row.id, 0))


def views(session: Session) -> list[SourceView]:
    """Every source, by name."""
    counts = _article_counts(session)
    rows = session.exec(select(Source).order_by(col(Source.name)))
    return [_view(row, counts.get(row.id or 0, 0)) for row in rows]


def add(session: Session, spec: SourceSpec, origin: str) -> SourceView:
    validate(spec)
    if origin not in SOURCE_ORIGINS:
        raise InputError(f"unknown source origin '{origin}' (use {', '.join(SOURCE_ORIGINS)})")
    if session.exec(select(Source.id).where(Source.name == spec.name)).first() is not None:
        raise InputError(f"source '{spec.name}' already exists")
    stamp = _stamp(session)
    row = Source(**_columns(spec), origin=origin, created_at=stamp, updated_at=stamp)
    session.add(row)
    session.flush()  # a concurrent add of the same name fails here (and is retried)
    return _view(row, 0)


def remove(session: Session, name: str) -> None:
    """Delete the source; its articles and captures stay, no longer linked to it."""
    row = get(session, name, lock=True)  # writers linking to it finish first (live_id)
    assert row.id is not None
    health.forget(session, row.id)
    for model in (Article, Capture):
        session.exec(update(model).where(col(model.source_id) == row.id).values(source_id=None))
    session.delete(row)
    session.flush()


def set_paused(session: Session, name: str, paused: bool) -> SourceView:
    row = get(session, name)
    if row.paused != paused:
        row.paused = paused
        row.updated_at = _stamp(session)
        session.flush()
    assert row.id is not None
    return _view(row, _article_counts(session, row.id).get(row.id, 0))


def set_schedule(
    session: Session, name: str, every_seconds: float | None, cron: str | None
) -> SourceView:
    """A new schedule: ``every_seconds`` or ``cron`` (one of them; checked by the caller)."""
    row = get(session, name)
    if (every_seconds is None) == (cron is None):
        raise InputError(f"source '{name}': give exactly one schedule, every or cron")
    every = None if every_seconds is None else round(every_seconds)
    if every is not None and every < 1:
        raise InputError(f"source '{name}': polling interval must be at least 1 second")
    if (row.every_seconds, row.cron) != (every, cron):
        row.every_seconds, row.cron = every, cron
        row.updated_at = _stamp(session)
        session.flush()
    assert row.id is not None
    return _view(row, _article_counts(session, row.id).get(row.id, 0))


def sync(session: Session, specs: Sequence[SourceSpec]) -> tuple[int, int]:
    """Make the listed sources match the file (origin 'file'); returns (added, updated).

    The file wins for every field of the names it lists, ``paused`` included;
    sources it does not list are left alone. Unchanged sources are not touched.
    """
    for spec in specs:
        validate(spec)
    twice = sorted(name for name, n in Counter(s.name for s in specs).items() if n > 1)
    if twice:
        raise InputError(f"source '{twice[0]}' is listed more than once")
    existing = {row.name: row for row in session.exec(select(Source))}
    stamp: datetime | None = None
    added = updated = 0
    for spec in specs:
        wanted = {**_columns(spec), "origin": "file"}
        row = existing.get(spec.name)
        if row is not None and all(getattr(row, k) == v for k, v in wanted.items()):
            continue
        stamp = stamp or _stamp(session)
        if row is None:
            session.add(Source(**wanted, created_at=stamp, updated_at=stamp))
            added += 1
        else:
            for key, value in wanted.items():
                setattr(row, key, value)
            row.updated_at = stamp
            updated += 1
    session.flush()
    return added, updated


def fingerprint(session: Session) -> tuple[int, datetime | None]:
    """(number of sources, newest ``updated_at``): changes whenever a spec does."""
    count, latest = session.exec(
        select(func.count(col(Source.id)), func.max(col(Source.updated_at)))
    ).one()
    return int(count), latest


def record_poll(
    session: Session,
    source_id: int,
    *,
    at: datetime,
    found: int,
    new: int,
    error: str | None,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    warning: str | None = None,
    skipped: Sequence[tuple[str, str]] | None = None,
) -> None:
    """Health of one poll (``error`` set: it failed; ``warning``: it worked, with damage,
    shown as the last error; ``skipped``: the links of the document it read that it did
    not take, with why; None: it read none). Leaves ``updated_at`` alone."""
    row = session.exec(
        select(Source).where(Source.id == source_id).with_for_update(key_share=True)
    ).first()
    if row is None:
        raise NotFoundError(f"no source with id {source_id}")
    row.last_poll_at = at
    if error is None:
        row.last_success_at = at
        row.consecutive_failures = 0
        row.articles_found = found
        row.articles_new = new
        row.total_new += new
        # A 304 (or a server that stopped sending one) keeps the validators it had.
        row.etag = etag if etag is not None else row.etag
        row.last_modified = last_modified if last_modified is not None else row.last_modified
        row.body_hash = body_hash if body_hash is not None else row.body_hash
        if skipped is not None:
            row.links_skipped = len(skipped)
            row.skipped = json.dumps([list(pair) for pair in skipped[:SKIPPED_KEPT]])
        if warning is not None:
            row.last_error, row.last_error_at = warning, at
        health.record(session, source_id, at)
    else:
        row.last_error = error
        row.last_error_at = at
        row.consecutive_failures += 1
    session.flush()
