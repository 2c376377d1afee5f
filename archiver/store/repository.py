"""The Store: the only way into the database for the rest of archiver.

Every public method is synchronous and runs in exactly one transaction; write
methods are all-or-nothing (a failure leaves no partial rows). The pipeline
calls them through ``asyncio.to_thread``; the engine's pool gives each thread
its own connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from archiver.errors import ArchiverError, StoreError
from archiver.records.articles import (
    ArticleSummary,
    ArticleView,
    CaptureIn,
    CaptureView,
    CheckState,
    DueCheck,
    RecordResult,
    SearchHit,
    SourceSpec,
    SourceView,
    StatusView,
    VersionIn,
    VersionView,
    require_aware,
)
from archiver.store import bodies, queries, schedule, search, sources, writes
from archiver.store.browse import BrowseMixin
from archiver.store.captures import CapturesMixin
from archiver.store.clusters import ClustersMixin
from archiver.store.engine import describe_db_error, make_engine, run_read, run_write
from archiver.store.feeds import FeedsMixin
from archiver.store.hosts import HostsMixin
from archiver.store.migrate import upgrade as upgrade_schema
from archiver.store.models import utcnow
from archiver.store.outbox import OutboxStore
from archiver.store.templates import TemplatesMixin
from archiver.store.volatile import VolatileMixin
from archiver.version.ladder import Ladder
from archiver.version.shingles import NearParams, signature

T = TypeVar("T")


class Store(
    BrowseMixin, TemplatesMixin, VolatileMixin, CapturesMixin, FeedsMixin, ClustersMixin,
    HostsMixin,
):  # fmt: skip
    """Archived articles, their versions, captures, raw bodies and sources in one SQL database.

    ``Store(url)`` opens SQLite or PostgreSQL and, unless ``migrate=False``,
    upgrades the schema to the newest revision first. Browsing reads: ``browse.py``.
    ``clusters``: the ``[clusters]`` settings (syndication clusters: ``clusters.py``).
    """

    def __init__(
        self, url: str, *, migrate: bool = True, clusters: NearParams | None = None
    ) -> None:
        self._near = clusters if clusters is not None else NearParams()
        self._engine: Engine = make_engine(url)
        if migrate:
            try:
                with _database_errors("migrating the database"):
                    upgrade_schema(self._engine)
            except BaseException:
                self._engine.dispose()
                raise

    @property
    def outbox(self) -> OutboxStore:
        """Webhook registrations and deliveries (``outbox.py``)."""
        return OutboxStore(self._read, self._write)

    def close(self) -> None:
        """Release every pooled connection (the store is unusable afterwards)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------

    def record(
        self,
        capture: CaptureIn,
        body: bytes,
        *,
        urls: Sequence[str],
        canonical_url: str,
        site: str,
        content: VersionIn,
        ladder: Ladder | Sequence[float] = (),
        may_join: Callable[[str], bool] | None = None,
        tiny: bool = False,
    ) -> RecordResult:
        """Record a successful fetch and its extracted content, in one transaction.

        Finds the article through any of ``urls`` + ``canonical_url`` (creating it
        if none is known), adds the URLs it did not know as aliases, stores the
        body once per hash, and adds a version when the text hash changed.
        ``capture.requested_url`` always counts as one of ``urls``; a new article
        belongs to ``capture.source_id`` (unless that source was removed meanwhile).

        With a re-check ``ladder`` (seconds), the article's next re-check is
        planned too: a new article or version restarts the ladder at
        ``capture.fetched_at``, an unchanged one moves on (``plan_next_check``).

        ``may_join(site)`` says whether this page may become a version of an
        existing article of ``site``; an article it may not join keeps its text,
        and the URLs the page shares with it move to the page's own article.

        ``tiny``: the new text differs from the current version by a few words
        only; ``TINY_STREAK`` such versions in a row flag the article and stop
        restarting its ladder (``archiver.version.volatile``).
        """
        require_aware(capture.fetched_at)
        all_urls = list(dict.fromkeys([*urls, capture.requested_url, canonical_url]))
        # A re-fetch is stored as a delta against the page's last body (bodies.py); the
        # CPU work happens before the write lock is taken.
        base = self._read("reading the page's last body", lambda s: queries.last_base(s, all_urls))
        packed = bodies.pack(body, capture.body_hash, base)
        near = signature(content.text, self._near)  # MinHash of the text (clusters.py), too
        return self._write(
            "recording a capture",
            lambda s: writes.record(
                s,
                packed,
                capture,
                urls=all_urls,
                canonical_url=canonical_url,
                site=site,
                content=content,
                ladder=Ladder.of(ladder),
                may_join=may_join,
                tiny=tiny,
                near=near,
            ),
        )

    def record_unchanged(
        self, article_id: int, capture: CaptureIn, *, ladder: Ladder | Sequence[float] = ()
    ) -> RecordResult:
        """Record a re-check that found nothing new (304, or an identical raw body).

        ``capture.body_hash`` is linked only if that body is stored already. With
        a ``ladder`` the article moves on to its next re-check.
        """
        require_aware(capture.fetched_at)
        return self._write(
            "recording an unchanged capture",
            lambda s: writes.record_unchanged(s, article_id, capture, Ladder.of(ladder)),
        )

    def record_failure(
        self,
        capture: CaptureIn,
        article_id: int | None = None,
        *,
        ladder: Ladder | Sequence[float] = (),
    ) -> int:
        """Record a failed fetch (``capture.error``) and nothing else; returns the capture id.

        The raw body of a failure is not stored, so ``body_hash`` is kept only
        when that body is already in the store. With a ``ladder`` a failed
        re-check of ``article_id`` moves it on to its next rung, like an
        unchanged one, so a failing page is not hammered.
        """
        require_aware(capture.fetched_at)
        return self._write(
            "recording a failed capture",
            lambda s: writes.record_failure(s, capture, article_id, Ladder.of(ladder)),
        )

    # -- sources ---------------------------------------------------------------

    def add_source(self, spec: SourceSpec, *, origin: str = "cli") -> SourceView:
        """Add a source; InputError if the name is taken or the spec is invalid."""
        return self._write("adding a source", lambda s: sources.add(s, spec, origin))

    def source(self, name: str) -> SourceView:
        return self._read("reading a source", lambda s: sources.view(s, name))

    def sources(self) -> list[SourceView]:
        """Every source, by name."""
        return self._read("listing sources", sources.views)

    def remove_source(self, name: str) -> None:
        """Delete a source; its articles and captures stay (no longer linked to it)."""
        self._write("removing a source", lambda s: sources.remove(s, name))

    def set_paused(self, name: str, paused: bool) -> SourceView:
        return self._write("pausing a source", lambda s: sources.set_paused(s, name, paused))

    def set_schedule(self, name: str, every_seconds: float | None, cron: str | None) -> SourceView:
        """Poll the source every ``every_seconds`` or on ``cron`` from now on (one of them)."""
        return self._write(
            "rescheduling a source", lambda s: sources.set_schedule(s, name, every_seconds, cron)
        )

    def sync_sources(self, specs: Sequence[SourceSpec]) -> tuple[int, int]:
        """Upsert the sources of ``sources.toml`` (the file wins); returns (added, updated)."""
        return self._write("syncing sources", lambda s: sources.sync(s, list(specs)))

    def sources_fingerprint(self) -> tuple[int, datetime | None]:
        """(count, newest ``updated_at``): changes whenever a source spec changes."""
        return self._read("checking sources", sources.fingerprint)

    def record_poll(
        self,
        source_id: int,
        *,
        at: datetime,
        found: int,
        new: int,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        warning: str | None = None,
        skipped: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        """Record how a poll of the source went (``error`` set: it failed).

        A success stores the validators given and keeps those not given (304);
        ``warning`` (a success with damage, e.g. a cut-off sitemap) is kept as the
        source's last error without counting as a failure.
        """
        require_aware(at)
        self._write(
            "recording a poll",
            lambda s: sources.record_poll(
                s,
                source_id,
                at=at,
                found=found,
                new=new,
                error=error,
                warning=warning,
                skipped=skipped,
                etag=etag,
                last_modified=last_modified,
                body_hash=body_hash,
            ),
        )

    # -- reads -----------------------------------------------------------------

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        """Which of these (normalized) URLs already lead to an archived article."""
        return self._read("looking up URLs", lambda s: queries.known_urls(s, urls))

    def due_checks(self, now: datetime, limit: int) -> list[DueCheck]:
        """Articles whose re-check is due at ``now``, the longest overdue first."""
        require_aware(now)
        return self._read("finding due re-checks", lambda s: schedule.due(s, now, limit))

    def check_state(self, urls: Sequence[str]) -> CheckState | None:
        """What a conditional re-fetch of the article behind ``urls`` needs (None if unknown)."""
        return self._read("checking an article", lambda s: queries.check_state(s, urls))

    def article(self, ref: int | str) -> ArticleView:
        """An article by id, or by any URL that reached it (already normalized)."""
        return self._read("reading an article", lambda s: queries.article_view(s, ref))

    def versions(self, article_id: int) -> list[VersionView]:
        """Every version of the article, oldest first."""
        return self._read("reading versions", lambda s: queries.version_views(s, article_id))

    def version(self, article_id: int, seq: int) -> VersionView:
        return self._read("reading a version", lambda s: queries.version_view(s, article_id, seq))

    def captures(self, article_id: int, limit: int = 100) -> list[CaptureView]:
        """The article's fetch attempts, newest first."""
        return self._read("reading captures", lambda s: queries.capture_views(s, article_id, limit))

    def list_articles(
        self, *, limit: int = 50, site: str | None = None, since: datetime | None = None
    ) -> list[ArticleSummary]:
        """Articles newest first (by first seen), optionally for one site or since a time."""
        if since is not None:
            require_aware(since)
        return self._read(
            "listing articles",
            lambda s: queries.summaries(s, limit=limit, site=site, since=since),
        )

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """Articles whose current title/text match ``query``, best first."""

        def work(session: Session) -> list[SearchHit]:
            raw = search.search(session.connection(), query, limit)
            found = queries.summaries_by_id(session, [h.article_id for h in raw])
            return [
                SearchHit(found[h.article_id], h.snippet, h.rank)
                for h in raw
                if h.article_id in found
            ]

        return self._read("searching", work)

    def body(self, body_hash: str) -> bytes:
        """A raw body exactly as fetched."""
        return self._read("reading a body", lambda s: bodies.get(s, body_hash))

    def counts(self) -> dict[str, int]:
        """Row counts: articles, versions, captures, bodies."""
        return self._read("counting", queries.counts)

    def status(self, *, now: datetime | None = None) -> StatusView:
        """Row counts, every source with its health, and how many re-checks are due."""
        moment = utcnow() if now is None else now
        require_aware(moment)
        return self._read("reading the status", lambda s: queries.status(s, moment))

    # -- plumbing --------------------------------------------------------------

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        with _database_errors(doing):
            return run_read(self._engine, work)

    def _write(self, doing: str, work: Callable[[Session], T]) -> T:
        with _database_errors(doing):
            return run_write(self._engine, work)


@contextmanager
def _database_errors(doing: str) -> Iterator[None]:
    """Turn driver and SQLAlchemy errors into StoreError; archiver's own errors pass."""
    try:
        yield
    except ArchiverError:
        raise
    except SQLAlchemyError as exc:
        raise StoreError(f"database error while {doing}: {describe_db_error(exc)}") from exc
