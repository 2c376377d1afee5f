"""Extraction health per source: empty, very short and dateless extractions, poll by poll.

Every extracted capture records its clean text's word count (0 when the page
had no article text) and whether a published date was found. When a poll of
a source succeeds, ``record`` sums up the captures that poll made into one
``source_poll`` row. ``views`` compares a source's last ``RECENT_POLLS`` polls
with the ``BASELINE_POLLS`` before them: a share that rises by ``JUMP`` or
more (over at least ``MIN_EXTRACTED`` pages) is flagged. A site redesign looks
exactly like that: yesterday's pages extracted fine, today's come back empty,
as a teaser, or without their date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from archiver.records.learning import ExtractionHealth
from archiver.store.models import Capture, Source, SourcePoll

SHORT_WORDS = 100
"""Fewer words than this is a "very short" extraction (a teaser, a paywall stub)."""
RECENT_POLLS = 3
BASELINE_POLLS = 10
JUMP = 0.3
"""A share this much above its baseline is flagged."""
MIN_EXTRACTED = 5
"""Fewer recent extractions than this are too few to flag anything."""


def record(session: Session, source_id: int, since: datetime) -> None:
    """Sum up the extractions a poll started at ``since`` made into one ``source_poll`` row."""
    words = col(Capture.words)
    rows = session.exec(
        select(
            func.count(words),
            func.count().filter(words == 0),
            func.count().filter(words > 0, words < SHORT_WORDS),
            func.count().filter(words > 0, col(Capture.dated).is_(False)),
        ).where(
            Capture.source_id == source_id,
            col(Capture.fetched_at) >= since,
            words.is_not(None),
        )
    ).one()
    extracted, empty, short, dateless = (int(v or 0) for v in rows)
    if extracted:
        session.add(
            SourcePoll(
                source_id=source_id,
                at=since,
                extracted=extracted,
                empty=empty,
                short=short,
                dateless=dateless,
            )
        )
        session.flush()


def _shares(polls: list[SourcePoll]) -> tuple[int, float, float, float]:
    total = sum(p.extracted for p in polls)
    if not total:
        return 0, 0.0, 0.0, 0.0
    return (
        total,
        sum(p.empty for p in polls) / total,
        sum(p.short for p in polls) / total,
        sum(p.dateless for p in polls) / total,
    )


def view(source_id: int, polls: list[SourcePoll]) -> ExtractionHealth:
    """Health from a source's polls, newest first."""
    recent, earlier = polls[:RECENT_POLLS], polls[RECENT_POLLS : RECENT_POLLS + BASELINE_POLLS]
    extracted, empty, short, dateless = _shares(recent)
    base_total, *base = _shares(earlier)
    rises = [now - then for now, then in zip((empty, short, dateless), base, strict=True)]
    jumped = bool(base_total) and extracted >= MIN_EXTRACTED and max(rises) >= JUMP
    return ExtractionHealth(
        source_id=source_id,
        polls=len(recent),
        extracted=extracted,
        empty=empty,
        short=short,
        dateless=dateless,
        baseline=(base[0], base[1], base[2]) if base_total else None,
        jumped=jumped,
    )


def views(session: Session) -> dict[int, ExtractionHealth]:
    """Every source that has polls with extractions, by source id."""
    keep = RECENT_POLLS + BASELINE_POLLS
    by_source: dict[int, list[SourcePoll]] = defaultdict(list)
    for source_id in session.exec(select(Source.id)):
        if source_id is None:
            continue
        rows = session.exec(
            select(SourcePoll)
            .where(SourcePoll.source_id == source_id)
            .order_by(col(SourcePoll.at).desc(), col(SourcePoll.id).desc())
            .limit(keep)
        )
        by_source[source_id].extend(rows)
    return {sid: view(sid, polls) for sid, polls in by_source.items() if polls}


def forget(session: Session, source_id: int) -> None:
    """Delete a source's poll records (before the source itself is deleted)."""
    session.exec(delete(SourcePoll).where(col(SourcePoll.source_id) == source_id))
