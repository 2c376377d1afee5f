"""Site-template counts and re-extractions: the store side of ``archiver.extract.templates``.

Template knowledge is three tables, dialect-neutral (plain selects, inserts
and updates; no upsert syntax): ``template_site`` (articles learned per host),
``template_page`` (the fingerprints each article contributed, so an article is
counted once however often it is re-fetched) and ``template_block`` (per host
and fingerprint: on how many distinct articles, and since the host's how-many-th
article). Learning locks the host's ``template_site`` row, so concurrent
writers of one host queue up on PostgreSQL (SQLite serializes every writer);
two first writers racing to create that row are retried by ``run_write``.

A re-extraction replaces a version's text *in place*: the version keeps its
number, the article its ``version_count``, and a ``reextraction`` row keeps
the text it replaced. The next capture is compared with the re-extracted
hash, so a template change never shows up as an edit later either.

Like ``writes``, every function runs in a transaction the caller owns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlmodel import Session, col, select

from archiver.errors import NotFoundError
from archiver.records.articles import VersionIn
from archiver.records.learning import (
    BlockStat,
    ExtractionHealth,
    ReextractionView,
    ReextractTarget,
    TemplateCounts,
    VersionSource,
)
from archiver.store import bodies, clusters, health, queries, search, volatile
from archiver.store.models import (
    Article,
    Capture,
    Reextraction,
    TemplateBlock,
    TemplatePage,
    TemplateSite,
    Version,
    utcnow,
)
from archiver.store.queries import IN_CHUNK
from archiver.store.writes import lock_article
from archiver.version.shingles import NearParams, Signature, signature

T = TypeVar("T")


def _stats(session: Session, site: str, prints: Sequence[str]) -> dict[str, BlockStat]:
    wanted = list(dict.fromkeys(prints))
    found: dict[str, BlockStat] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = session.exec(
            select(TemplateBlock).where(
                TemplateBlock.site == site,
                col(TemplateBlock.fingerprint).in_(wanted[start : start + IN_CHUNK]),
            )
        )
        found.update((r.fingerprint, BlockStat(r.pages, r.since)) for r in rows)
    return found


def counts(session: Session, site: str, url: str, prints: Sequence[str]) -> TemplateCounts:
    """What the host knows about ``prints`` (read only; the page is not learned)."""
    host = session.get(TemplateSite, site)
    page = session.get(TemplatePage, (site, url))
    ticking, slots = volatile.known(session, site, prints)
    return TemplateCounts(
        pages=host.pages if host else 0,
        stats=_stats(session, site, prints),
        own=frozenset(page.prints.split()) if page else frozenset(),
        volatile=ticking,
        slots=slots,
    )


def learn(session: Session, site: str, url: str, prints: Sequence[str]) -> TemplateCounts:
    """Count the page's fingerprints for its host, once per article; the counts after."""
    host = session.exec(
        select(TemplateSite).where(TemplateSite.site == site).with_for_update()
    ).first()
    if host is None:
        host = TemplateSite(site=site, pages=0)
        session.add(host)
        session.flush()  # a concurrent first learner of this host fails here (and is retried)
    page = session.get(TemplatePage, (site, url))
    if page is None:
        host.pages += 1
        page = TemplatePage(site=site, url=url, prints="")
        session.add(page)
    own = set(page.prints.split())
    new = [p for p in dict.fromkeys(prints) if p not in own]
    if new:
        rows = {
            r.fingerprint: r
            for start in range(0, len(new), IN_CHUNK)
            for r in session.exec(
                select(TemplateBlock).where(
                    TemplateBlock.site == site,
                    col(TemplateBlock.fingerprint).in_(new[start : start + IN_CHUNK]),
                )
            )
        }
        for fingerprint in new:
            row = rows.get(fingerprint)
            if row is None:
                session.add(
                    TemplateBlock(site=site, fingerprint=fingerprint, pages=1, since=host.pages)
                )
            else:
                row.pages += 1
        page.prints = " ".join(sorted(own.union(new)))
        page.updated_at = utcnow()
    session.flush()
    return counts(session, site, url, prints)


# -- re-extraction --------------------------------------------------------------------


def version_source(session: Session, article_id: int, seq: int | None) -> VersionSource | None:
    """Version ``seq`` (default: the current one) with its raw capture; None without a body."""
    article = queries.get_article(session, article_id)
    assert article.id is not None
    number = seq if seq is not None else article.version_count
    row = session.exec(
        select(Version).where(Version.article_id == article.id, Version.seq == number)
    ).first()
    if row is None:
        raise NotFoundError(f"article {article_id} has no version {number}")
    capture = session.get(Capture, row.capture_id)
    if capture is None or capture.body_hash is None:
        return None
    return VersionSource(
        article_id=article.id,
        seq=number,
        site=article.site,
        canonical_url=article.canonical_url,
        text_hash=row.text_hash,
        body=bodies.get(session, capture.body_hash),
        url=capture.final_url or capture.requested_url,
        charset=capture.charset,
    )


def reextract(
    session: Session,
    article_id: int,
    seq: int,
    content: VersionIn,
    reason: str,
    near: Signature | None = None,
) -> bool:
    """Replace version ``seq``'s content in place (False: it already had this text); the
    current version's new text replaces the article's signature by ``near`` (clusters.py)."""
    article = lock_article(session, article_id)
    row = session.exec(
        select(Version).where(Version.article_id == article_id, Version.seq == seq)
    ).first()
    if row is None:
        raise NotFoundError(f"article {article_id} has no version {seq}")
    if row.text_hash == content.text_hash:
        return False
    session.add(
        Reextraction(
            article_id=article_id,
            seq=seq,
            reason=reason,
            old_title=row.title,
            old_text=row.text,
            old_text_hash=row.text_hash,
            new_text_hash=content.text_hash,
        )
    )
    row.title = content.title
    row.authors = list(content.authors)
    row.published = content.published
    row.modified = content.modified
    row.site_name = content.site_name
    row.language = content.language
    row.description = content.description
    row.text = content.text
    row.text_hash = content.text_hash
    if seq == article.version_count:
        article.title = content.title
        article.published = content.published
        session.flush()
        search.index_article(session.connection(), article_id, content.title, content.text)
        clusters.put(session, article_id, content.text_hash, near)
    session.flush()
    return True


def reextractions(session: Session, article_id: int) -> list[ReextractionView]:
    queries.get_article(session, article_id)
    rows = session.exec(
        select(Reextraction)
        .where(Reextraction.article_id == article_id)
        .order_by(col(Reextraction.seq), col(Reextraction.id))
    )
    return [
        ReextractionView(
            article_id=r.article_id,
            seq=r.seq,
            created_at=r.created_at,
            reason=r.reason,
            old_title=r.old_title,
            old_text=r.old_text,
            old_text_hash=r.old_text_hash,
            new_text_hash=r.new_text_hash,
        )
        for r in rows
    ]


def targets(session: Session, site: str | None) -> list[ReextractTarget]:
    """Every article (of ``site``) with at least one version, oldest first."""
    stmt = (
        select(Article, TemplatePage.url)
        .join(
            TemplatePage,
            (col(TemplatePage.site) == col(Article.site))
            & (col(TemplatePage.url) == col(Article.canonical_url)),
            isouter=True,
        )
        .where(Article.version_count > 0)
    )
    if site is not None:
        stmt = stmt.where(Article.site == site)
    return [
        ReextractTarget(a.id or 0, a.version_count, a.site, a.canonical_url, learned is not None)
        for a, learned in session.exec(stmt.order_by(col(Article.id)))
    ]


# -- Store methods --------------------------------------------------------------------


class TemplatesMixin:
    """Template learning, re-extraction and extraction health as ``Store`` methods."""

    _near: NearParams  # the Store's [clusters] settings

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def _write(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def template_counts(self, site: str, url: str, prints: Sequence[str]) -> TemplateCounts:
        """What ``site``'s template knows about these block fingerprints (nothing learned)."""
        return self._read("reading site templates", lambda s: counts(s, site, url, prints))

    def learn_template(self, site: str, url: str, prints: Sequence[str]) -> TemplateCounts:
        """Count the fingerprints of article ``url`` for ``site`` (once per article)."""
        return self._write("learning a site template", lambda s: learn(s, site, url, prints))

    def version_source(self, article_id: int, seq: int | None = None) -> VersionSource | None:
        """A version with the raw capture it was extracted from (None if no body is kept)."""
        return self._read("reading a capture", lambda s: version_source(s, article_id, seq))

    def reextract_version(
        self, article_id: int, seq: int, content: VersionIn, *, reason: str
    ) -> bool:
        """Replace a version's content by a re-extraction of its capture (not a new version).

        Returns False when the text hash is unchanged (nothing written).
        """
        near = signature(content.text, self._near)  # CPU work before the write lock
        return self._write(
            "recording a re-extraction",
            lambda s: reextract(s, article_id, seq, content, reason, near),
        )

    def reextractions(self, article_id: int) -> list[ReextractionView]:
        """Every re-extraction of the article's versions, by version."""
        return self._read("reading re-extractions", lambda s: reextractions(s, article_id))

    def reextract_targets(self, site: str | None = None) -> list[ReextractTarget]:
        """The articles (of ``site``) ``archiver reextract`` goes over, oldest first."""
        return self._read("listing articles", lambda s: targets(s, site))

    def extraction_health(self) -> dict[int, ExtractionHealth]:
        """Per source id: shares of empty, short and dateless extractions in its last polls."""
        return self._read("reading extraction health", health.views)
