"""Volatile blocks and re-check health: the store side of ``archiver.version.volatile``.

``volatile_block`` holds, per host, the fingerprints of blocks learned to tick
and the anchors of slots learned to rotate; ``known`` reads those of one page,
``learn`` adds what a comparison found (a slot keeps the largest span seen).
``prior`` gives the rotating rule its history: the text of the version before
the current one, when the current one was made by the article's last check.

The health side reads two ``article`` columns kept by the writes: the re-checks
in a row that made tiny versions (``tiny_streak``) and the checks in a row that
failed (``check_failures``, ``check_error``).

Like ``writes``, every function runs in a transaction the caller owns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, UnaryExpression, func
from sqlmodel import Session, col, select

from archiver.records.articles import CheckFlag, RecheckHealth
from archiver.store import queries
from archiver.store.models import Article, Capture, Version, VolatileBlock, utcnow
from archiver.store.queries import IN_CHUNK
from archiver.version.volatile import START, TINY_STREAK, Volatile

T = TypeVar("T")
LISTED = 20
"""Articles listed per kind in the re-check health (the counts cover them all)."""


def known(
    session: Session, site: str, prints: Sequence[str]
) -> tuple[frozenset[str], dict[str, int]]:
    """The host's volatile prints among ``prints``, and its slots anchored on them (or START)."""
    unique = list(dict.fromkeys(prints))
    wanted = [*unique, *(f"{p}>" for p in (*unique, START))]
    volatile: set[str] = set()
    slots: dict[str, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = session.exec(
            select(VolatileBlock).where(
                VolatileBlock.site == site,
                col(VolatileBlock.key).in_(wanted[start : start + IN_CHUNK]),
            )
        )
        for row in rows:
            if row.kind == "print":
                volatile.add(row.key)
            else:
                slots[row.key.removesuffix(">")] = row.span
    return frozenset(volatile), slots


def _row_key(item: Volatile) -> str:
    return item.key if item.kind == "print" else f"{item.key}>"


def learn(session: Session, site: str, article_id: int, items: Sequence[Volatile]) -> int:
    """Remember ``items`` for ``site`` (learned on ``article_id``); how many were new."""
    added = 0
    for item in items:
        key = _row_key(item)
        row = session.get(VolatileBlock, (site, key))
        if row is None:
            session.add(
                VolatileBlock(
                    site=site, key=key, kind=item.kind, span=item.span, article_id=article_id
                )
            )
            added += 1
        elif item.span > row.span:
            row.span = item.span
            row.learned_at = utcnow()
    session.flush()
    return added


def prior(session: Session, article_id: int) -> str | None:
    """The text of the version before the current one, if the current one was made by
    the article's last successful check (None otherwise, or with fewer than 2 versions)."""
    article = queries.get_article(session, article_id)
    if article.version_count < 2:
        return None
    rows = {
        v.seq: v
        for v in session.exec(
            select(Version).where(
                Version.article_id == article_id,
                col(Version.seq).in_([article.version_count - 1, article.version_count]),
            )
        )
    }
    current = rows.get(article.version_count)
    before = rows.get(article.version_count - 1)
    if current is None or before is None:
        return None
    later = session.exec(
        select(func.count())
        .select_from(Capture)
        .where(
            Capture.article_id == article_id,
            col(Capture.id) > current.capture_id,
            col(Capture.error).is_(None),
        )
    ).one()
    return before.text if not later else None


def health(session: Session) -> RecheckHealth:
    """Articles flagged by the circuit breaker and articles whose checks keep failing."""

    def flags(
        where: ColumnElement[bool], order: UnaryExpression[int]
    ) -> tuple[int, list[CheckFlag]]:
        total = session.exec(select(func.count()).select_from(Article).where(where)).one()
        rows = session.exec(select(Article).where(where).order_by(order).limit(LISTED))
        return int(total), [
            CheckFlag(
                article_id=a.id or 0,
                url=a.canonical_url,
                title=a.title,
                tiny_streak=a.tiny_streak,
                failures=a.check_failures,
                error=a.check_error,
                last_checked=a.last_checked,
            )
            for a in rows
        ]

    flagged_total, flagged = flags(
        col(Article.tiny_streak) >= TINY_STREAK, col(Article.tiny_streak).desc()
    )
    failing_total, failing = flags(
        col(Article.check_failures) > 0, col(Article.check_failures).desc()
    )
    return RecheckHealth(flagged_total, flagged, failing_total, failing)


class VolatileMixin:
    """Volatile blocks and the re-check health as ``Store`` methods."""

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def _write(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def learn_volatile(self, site: str, article_id: int, items: Sequence[Volatile]) -> int:
        """Remember blocks of ``site`` learned to change on their own (on ``article_id``)."""
        return self._write("learning volatile blocks", lambda s: learn(s, site, article_id, items))

    def prior_text(self, article_id: int) -> str | None:
        """The version before the current one, if the current one came from the last check."""
        return self._read("reading a version", lambda s: prior(s, article_id))

    def recheck_health(self) -> RecheckHealth:
        """Articles flagged for tiny versions in a row, and articles whose checks fail."""
        return self._read("reading re-check health", health)
