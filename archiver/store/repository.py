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
from archiver.store import bodies, queries, search, writes
from archiver.store.engine import make_engine, run_write, session_scope
from archiver.store.migrate import upgrade as upgrade_schema
from archiver.store.records import (
    ArticleSummary,
    ArticleView,
    CaptureIn,
    CaptureView,
    CheckState,
    RecordResult,
    SearchHit,
    VersionIn,
    VersionView,
)
from archiver.store.writes import require_aware

T = TypeVar("T")


class Store:
    """Archived articles, their versions, captures and raw bodies in one SQL database.

    ``Store(url)`` opens SQLite or PostgreSQL and, unless ``migrate=False``,
    upgrades the schema to the newest revision first.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self._engine: Engine = make_engine(url)
        if migrate:
            try:
                with _database_errors("migrating the database"):
                    upgrade_schema(self._engine)
            except BaseException:
                self._engine.dispose()
                raise

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
    ) -> RecordResult:
        """Record a successful fetch and its extracted content, in one transaction.

        Finds the article through any of ``urls`` + ``canonical_url`` (creating it
        if none is known), adds the URLs it did not know as aliases, stores the
        body once per hash, and adds a version when the text hash changed.
        ``capture.requested_url`` always counts as one of ``urls``.
        """
        require_aware(capture.fetched_at)
        packed = bodies.pack(body, capture.body_hash)  # CPU work before taking the lock
        all_urls = list(dict.fromkeys([*urls, capture.requested_url, canonical_url]))
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
            ),
        )

    def record_unchanged(self, article_id: int, capture: CaptureIn) -> RecordResult:
        """Record a re-check that found nothing new (304, or an identical raw body).

        ``capture.body_hash`` is linked only if that body is stored already.
        """
        require_aware(capture.fetched_at)
        return self._write(
            "recording an unchanged capture",
            lambda s: writes.record_unchanged(s, article_id, capture),
        )

    def record_failure(self, capture: CaptureIn, article_id: int | None = None) -> int:
        """Record a failed fetch (``capture.error``) and nothing else; returns the capture id.

        The raw body of a failure is not stored, so ``body_hash`` is kept only
        when that body is already in the store.
        """
        require_aware(capture.fetched_at)
        return self._write(
            "recording a failed capture",
            lambda s: writes.record_failure(s, capture, article_id),
        )

    # -- reads -----------------------------------------------------------------

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

    # -- plumbing --------------------------------------------------------------

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        with _database_errors(doing), session_scope(self._engine, write=False) as session:
            return work(session)

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
        raise StoreError(f"database error while {doing}: {exc}") from exc
