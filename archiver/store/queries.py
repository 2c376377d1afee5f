"""Read queries: rows in, plain ``records`` dataclasses out.

Every function takes an open Session (the caller owns the transaction) and
returns frozen dataclasses, so nothing lazily loaded or session-bound ever
escapes the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from archiver.errors import NotFoundError, StoreError
from archiver.records.articles import (
    ArticleSummary,
    ArticleView,
    CaptureView,
    CheckState,
    StatusView,
    VersionView,
)
from archiver.store import bodies, schedule, sources
from archiver.store.captures import capture_view
from archiver.store.models import Alias, Article, Body, Capture, Version


def alias_map(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """Which of ``urls`` are known aliases, and of which article."""
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return {}
    rows = session.exec(select(Alias.url, Alias.article_id).where(col(Alias.url).in_(wanted)))
    return {url: article_id for url, article_id in rows}


IN_CHUNK = 500
"""Most values bound into one ``IN (...)`` list."""


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` are known aliases (looked up ``IN_CHUNK`` at a time)."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        found.update(session.exec(select(Alias.url).where(col(Alias.url).in_(chunk))))
    return found


def first_known(known: dict[str, int], urls: Iterable[str]) -> int | None:
    """The article of the first of ``urls`` found in ``known`` (an ``alias_map``)."""
    return next((known[u] for u in urls if u in known), None)


def resolve(session: Session, urls: Sequence[str]) -> int | None:
    """The article reached by the first of ``urls`` that is a known alias."""
    return first_known(alias_map(session, urls), urls)


def check_state(session: Session, urls: Sequence[str]) -> CheckState | None:
    article_id = resolve(session, urls)
    if article_id is None:
        return None
    last = session.exec(
        select(Capture)
        .where(
            Capture.article_id == article_id,
            col(Capture.body_hash).is_not(None),
            col(Capture.error).is_(None),
        )
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
        .limit(1)
    ).first()
    current = session.exec(
        select(Version.text_hash)
        .join(Article, col(Article.id) == col(Version.article_id))
        .where(Version.article_id == article_id, Version.seq == Article.version_count)
    ).first()
    return CheckState(
        article_id=article_id,
        etag=last.etag if last else None,
        last_modified=last.last_modified if last else None,
        body_hash=last.body_hash if last else None,
        text_hash=current,
    )


def get_article(session: Session, ref: int | str) -> Article:
    """The article with id ``ref`` (int) or reached by alias URL ``ref`` (str)."""
    article_id = ref if isinstance(ref, int) else resolve(session, [ref])
    article = session.get(Article, article_id) if article_id is not None else None
    if article is None:
        raise NotFoundError(f"no archived article matches {ref!r}")
    return article


def article_view(session: Session, ref: int | str) -> ArticleView:
    article = get_article(session, ref)
    assert article.id is not None
    aliases = session.exec(
        select(Alias.url).where(Alias.article_id == article.id).order_by(col(Alias.id))
    ).all()
    try:
        latest = version_view(session, article.id, article.version_count)
    except NotFoundError as exc:
        raise StoreError(f"article {article.id} has no current version") from exc
    return ArticleView(
        id=article.id,
        canonical_url=article.canonical_url,
        site=article.site,
        aliases=tuple(aliases),
        first_seen=article.first_seen,
        last_checked=article.last_checked,
        version_count=article.version_count,
        latest=latest,
    )


def _version(row: Version) -> VersionView:
    assert row.id is not None
    return VersionView(
        article_id=row.article_id,
        seq=row.seq,
        title=row.title,
        authors=tuple(row.authors),
        published=row.published,
        modified=row.modified,
        site_name=row.site_name,
        language=row.language,
        description=row.description,
        text=row.text,
        text_hash=row.text_hash,
        capture_id=row.capture_id,
        created_at=row.created_at,
    )


def version_views(session: Session, article_id: int) -> list[VersionView]:
    get_article(session, article_id)
    rows = session.exec(
        select(Version).where(Version.article_id == article_id).order_by(col(Version.seq))
    )
    return [_version(r) for r in rows]


def version_view(session: Session, article_id: int, seq: int) -> VersionView:
    row = session.exec(
        select(Version).where(Version.article_id == article_id, Version.seq == seq)
    ).first()
    if row is None:
        raise NotFoundError(f"article {article_id} has no version {seq}")
    return _version(row)


def capture_views(session: Session, article_id: int, limit: int) -> list[CaptureView]:
    """The article's captures, newest first."""
    get_article(session, article_id)
    rows = session.exec(
        select(Capture)
        .where(Capture.article_id == article_id)
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
        .limit(limit)
    )
    return [capture_view(r) for r in rows]


def _summary(a: Article) -> ArticleSummary:
    assert a.id is not None
    return ArticleSummary(
        id=a.id,
        canonical_url=a.canonical_url,
        site=a.site,
        title=a.title,
        published=a.published,
        first_seen=a.first_seen,
        last_checked=a.last_checked,
        version_count=a.version_count,
    )


def summaries(
    session: Session, *, limit: int, site: str | None, since: datetime | None
) -> list[ArticleSummary]:
    """Newest first by first_seen (then id, so equal timestamps keep a stable order)."""
    stmt = select(Article)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    if since is not None:
        stmt = stmt.where(Article.first_seen >= since)
    stmt = stmt.order_by(col(Article.first_seen).desc(), col(Article.id).desc()).limit(limit)
    return [_summary(a) for a in session.exec(stmt)]


def summaries_by_id(session: Session, ids: Sequence[int]) -> dict[int, ArticleSummary]:
    if not ids:
        return {}
    rows = session.exec(select(Article).where(col(Article.id).in_(list(ids))))
    return {s.id: s for s in map(_summary, rows)}


def counts(session: Session) -> dict[str, int]:
    def count(model: type[SQLModel]) -> int:
        return int(session.exec(select(func.count()).select_from(model)).one())

    return {
        "articles": count(Article),
        "versions": count(Version),
        "captures": count(Capture),
        "bodies": count(Body),
    }


def status(session: Session, now: datetime) -> StatusView:
    totals = counts(session)
    return StatusView(
        articles=totals["articles"],
        versions=totals["versions"],
        captures=totals["captures"],
        bodies=totals["bodies"],
        sources=sources.views(session),
        due_checks=schedule.count_due(session, now),
    )


def last_base(session: Session, urls: Sequence[str]) -> bodies.Base | None:
    """What a new body of the article one of ``urls`` leads to is compressed against: its
    newest stored body (or that body's base); None for a page not archived yet."""
    articles = select(Alias.article_id).where(col(Alias.url).in_(list(urls)))
    newest = session.exec(
        select(Capture.body_hash)
        .where(col(Capture.article_id).in_(articles), col(Capture.body_hash).is_not(None))
        .order_by(col(Capture.fetched_at).desc(), col(Capture.id).desc())
        .limit(1)
    ).first()
    return None if newest is None else bodies.base_of(session, newest)
