"""Re-check schedule: the persisted state of each article's re-check ladder.

An article's ladder state (``check_anchor``, ``check_step``, ``next_check_at``)
is updated by the write that records a check, in the same transaction, so the
due re-checks survive restarts. The rules themselves live in
``archiver.version.ladder``; this module only loads and stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from archiver.records.articles import DueCheck
from archiver.store.models import Article
from archiver.version.ladder import CheckPlan, Ladder, plan_failed_check, plan_next_check


def start(article: Article, first_seen: datetime) -> None:
    """A brand-new article: anchored at its first capture, first rung next, nothing due yet."""
    article.check_anchor = first_seen
    article.check_step = 0
    article.next_check_at = None


def advance(
    article: Article, ladder: Ladder | Sequence[float], *, changed: bool, now: datetime
) -> None:
    """Move the article along ``ladder`` after a check at ``now`` (no-op for an empty ladder).

    ``changed`` (a new version) restarts the ladder at ``now``. Articles archived
    before the ladder was persisted have no anchor: their first-seen time stands in.
    """
    plan = Ladder.of(ladder)
    if not plan:
        return
    _apply(
        article,
        plan_next_check(
            plan.rungs,
            anchor=article.check_anchor or article.first_seen,
            step=article.check_step,
            changed=changed,
            now=now,
            tail=plan.tail,
        ),
    )


def failed(
    article: Article, ladder: Ladder | Sequence[float], *, now: datetime, failures: int
) -> None:
    """Plan the article's next check after its ``failures``-th failed check in a row."""
    plan = Ladder.of(ladder)
    if not plan:
        return
    _apply(
        article,
        plan_failed_check(
            plan,
            anchor=article.check_anchor or article.first_seen,
            step=article.check_step,
            now=now,
            failures=failures,
        ),
    )


def _apply(article: Article, plan: CheckPlan) -> None:
    article.check_anchor = plan.anchor
    article.check_step = plan.step
    article.next_check_at = plan.next_at


def due(session: Session, now: datetime, limit: int) -> list[DueCheck]:
    """Articles whose re-check is due at ``now``, the longest overdue first."""
    if limit <= 0:
        return []
    rows = session.exec(
        select(Article.id, Article.canonical_url)
        .where(col(Article.next_check_at) <= now)
        .order_by(col(Article.next_check_at), col(Article.id))
        .limit(limit)
    )
    return [DueCheck(article_id, url) for article_id, url in rows if article_id is not None]


def count_due(session: Session, now: datetime) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Article).where(col(Article.next_check_at) <= now)
        ).one()
    )
