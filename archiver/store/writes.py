"""Write units of work: each function runs inside one transaction owned by the caller.

They are pure with respect to the session (no side effects elsewhere), because
``engine.run_write`` may run them again after losing a race on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlmodel import Session, col, select

from archiver.errors import NotFoundError
from archiver.records.articles import CaptureIn, Outcome, RecordResult, VersionIn
from archiver.store import bodies, clusters, outbox, queries, schedule, search, sources
from archiver.store.models import Alias, Article, Capture, Version
from archiver.version.ladder import Ladder
from archiver.version.shingles import Signature
from archiver.version.volatile import TINY_STREAK


def record(
    session: Session,
    packed: bodies.PackedBody,
    capture: CaptureIn,
    *,
    urls: Sequence[str],
    canonical_url: str,
    site: str,
    content: VersionIn,
    ladder: Ladder | Sequence[float] = (),
    may_join: Callable[[str], bool] | None = None,
    tiny: bool = False,
    near: Signature | None = None,
) -> RecordResult:
    """Body, article, aliases, capture, (if the text changed) a new version and its
    signature ``near`` (clusters.py), and the article's next re-check on ``ladder``;
    ``may_join``, ``tiny``: see ``Store.record``."""
    capture = replace(capture, source_id=sources.live_id(session, capture.source_id))
    bodies.put(session, packed)
    known = queries.alias_map(session, urls)
    if may_join is not None:
        known = _claim_foreign_aliases(session, known, may_join)
    # The canonical URL's article wins; else the first URL that is known.
    owner = known[canonical_url] if canonical_url in known else queries.first_known(known, urls)
    article = (
        _new_article(session, canonical_url, site, capture)
        if owner is None
        else lock_article(session, owner)
    )
    assert article.id is not None
    for url in urls:
        if url not in known:
            session.add(Alias(url=url, article_id=article.id))
    capture_id = add_capture(session, capture, article.id, packed.hash)
    current = session.exec(
        select(Version.text_hash).where(
            Version.article_id == article.id, Version.seq == article.version_count
        )
    ).first()
    outcome: Outcome
    changed = current != content.text_hash
    if changed:
        _add_version(session, article, content, capture_id)
        clusters.put(session, article.id, content.text_hash, near)
        outcome = "new" if owner is None else "updated"
        outbox.emit_version(session, article, capture, capture_id, outcome)  # webhooks
    else:
        outcome = "unchanged" if capture.requested_url in known else "duplicate"
    _checked(article, changed=changed)
    article.last_checked = max(article.last_checked, capture.fetched_at)
    restart = _breaker(article, updated=outcome == "updated", tiny=tiny) if changed else False
    schedule.advance(article, ladder, changed=restart, now=capture.fetched_at)
    session.flush()
    return RecordResult(outcome, article.id, article.version_count, capture_id)


def _breaker(article: Article, *, updated: bool, tiny: bool) -> bool:
    """Count a new version in the article's tiny streak; whether it restarts the ladder.

    The ``TINY_STREAK``-th tiny version in a row flags the article and no longer
    restarts its ladder: churn that no rule explains is not chased ever faster.
    """
    article.tiny_streak = article.tiny_streak + 1 if updated and tiny else 0
    return article.tiny_streak < TINY_STREAK


def _checked(article: Article, *, changed: bool) -> None:
    """A check succeeded: its failure count is cleared, an unchanged one ends a tiny streak."""
    article.check_failures = 0
    article.check_error = None
    if not changed:
        article.tiny_streak = 0


def _claim_foreign_aliases(
    session: Session, known: dict[str, int], may_join: Callable[[str], bool]
) -> dict[str, int]:
    """Drop from ``known`` the URLs of articles this page may not join, and free them.

    Such a URL reached another site's article once (a redirect), but now answers
    with a page of its own site: it becomes an alias of that page's article.
    """
    sites = dict(
        session.exec(
            select(Article.id, Article.site).where(col(Article.id).in_(set(known.values())))
        ).all()
    )
    foreign = {url for url, article in known.items() if not may_join(sites.get(article, ""))}
    if foreign:
        for alias in session.exec(select(Alias).where(col(Alias.url).in_(foreign))):
            session.delete(alias)
        session.flush()
    return {url: article for url, article in known.items() if url not in foreign}


def record_unchanged(
    session: Session, article_id: int, capture: CaptureIn, ladder: Ladder | Sequence[float] = ()
) -> RecordResult:
    capture = replace(capture, source_id=sources.live_id(session, capture.source_id))
    article = lock_article(session, article_id)
    capture_id = add_capture(session, capture, article_id, known_body(session, capture.body_hash))
    _checked(article, changed=False)
    article.last_checked = max(article.last_checked, capture.fetched_at)
    schedule.advance(article, ladder, changed=False, now=capture.fetched_at)
    session.flush()
    return RecordResult("unchanged", article_id, article.version_count, capture_id)


def record_failure(
    session: Session,
    capture: CaptureIn,
    article_id: int | None,
    ladder: Ladder | Sequence[float] = (),
) -> int:
    """A failed check is retried on its rung a few times, then the article moves on."""
    capture = replace(capture, source_id=sources.live_id(session, capture.source_id))
    article: Article | None = None
    if article_id is not None:
        plan = Ladder.of(ladder)
        article = lock_article(session, article_id)
        failures = article.check_failures + 1  # checks in a row that failed, this one too
        if plan:
            schedule.failed(article, plan, now=capture.fetched_at, failures=failures)
        skipped = capture.error is not None and capture.error.startswith("skipped: ")
        article.check_failures = 0 if skipped else failures
        article.check_error = None if skipped else capture.error
    capture_id = add_capture(session, capture, article_id, known_body(session, capture.body_hash))
    outbox.emit_failure(session, capture, capture_id, article)  # webhooks' error event
    return capture_id


def lock_article(session: Session, article_id: int) -> Article:
    """Load the article for update: concurrent writers to one article queue up (PostgreSQL)."""
    article = session.exec(
        select(Article).where(Article.id == article_id).with_for_update()
    ).first()
    if article is None:
        raise NotFoundError(f"no archived article matches {article_id!r}")
    return article


def known_body(session: Session, body_hash: str | None) -> str | None:
    """``body_hash`` if that body is stored, else None (a capture may only point at real bodies)."""
    return body_hash if body_hash is not None and bodies.exists(session, body_hash) else None


def add_capture(
    session: Session, capture: CaptureIn, article_id: int | None, body_hash: str | None
) -> int:
    row = Capture(
        article_id=article_id,
        source_id=capture.source_id,
        requested_url=capture.requested_url,
        final_url=capture.final_url,
        status=capture.status,
        etag=capture.etag,
        last_modified=capture.last_modified,
        content_type=capture.content_type,
        body_hash=body_hash,
        fetched_at=capture.fetched_at,
        error=capture.error,
        charset=capture.charset,
        words=capture.words,
        dated=capture.dated,
        headers=None if capture.headers is None else json.dumps([list(h) for h in capture.headers]),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _new_article(session: Session, canonical_url: str, site: str, capture: CaptureIn) -> Article:
    article = Article(
        canonical_url=canonical_url,
        site=site,
        first_seen=capture.fetched_at,
        last_checked=capture.fetched_at,
        version_count=0,
        source_id=capture.source_id,
    )
    schedule.start(article, capture.fetched_at)
    session.add(article)
    session.flush()  # a concurrent insert of the same URL fails here (and is retried)
    return article


def _add_version(session: Session, article: Article, content: VersionIn, capture_id: int) -> None:
    """Append version seq+1, mirror its title/published on the article and reindex it."""
    assert article.id is not None
    seq = article.version_count + 1
    session.add(
        Version(
            article_id=article.id,
            seq=seq,
            title=content.title,
            authors=list(content.authors),
            published=content.published,
            modified=content.modified,
            site_name=content.site_name,
            language=content.language,
            description=content.description,
            text=content.text,
            text_hash=content.text_hash,
            capture_id=capture_id,
        )
    )
    article.version_count = seq
    article.title = content.title
    article.published = content.published
    session.flush()
    search.index_article(session.connection(), article.id, content.title, content.text)
