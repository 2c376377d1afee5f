"""JSON shapes of archive records, shared by the CLI (``--json``) and the web API.

Keys are part of the public interface (README.md, *JSON keys*); times are
ISO 8601 in UTC with a ``Z``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archiver.records.articles import (
    SNIPPET_MARK_END,
    SNIPPET_MARK_START,
    ArticleSummary,
    ArticleView,
    CheckFlag,
    RecheckHealth,
    SearchHit,
    SourceView,
    VersionView,
)
from archiver.records.clusters import Cluster, NearDuplicate
from archiver.version import VersionDiff, word_count

if TYPE_CHECKING:  # the archive step (and the store under it) loads only where it runs
    from archiver.archive import AddResult
    from archiver.sources.poll import PollResult


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def add_json(result: AddResult) -> dict[str, Any]:
    return {
        "url": result.url,
        "article_id": result.article_id,
        "outcome": result.outcome,
        "version": result.version,
        "error": result.error,
    }


def show_json(
    article: ArticleView, version: VersionView, near: Sequence[NearDuplicate] | None = None
) -> dict[str, Any]:
    """The ``show`` keys; with ``near`` (the article's near duplicates), ``near_duplicates``."""
    doc: dict[str, Any] = {
        "article_id": article.id,
        "url": article.canonical_url,
        "aliases": list(article.aliases),
        "title": version.title,
        "authors": list(version.authors),
        "published": version.published,
        "modified": version.modified,
        "site": article.site,
        "site_name": version.site_name,
        "language": version.language,
        "description": version.description,
        "text": version.text,
        "version": version.seq,
        "versions": article.version_count,
        "version_created": iso(version.created_at),
        "first_seen": iso(article.first_seen),
        "last_checked": iso(article.last_checked),
    }
    if near is not None:
        doc["near_duplicates"] = [near_json(n) for n in near]
    return doc


def near_json(near: NearDuplicate) -> dict[str, Any]:
    """Another article whose current text is a near duplicate (syndication clusters)."""
    return {
        "article_id": near.article_id,
        "url": near.url,
        "site": near.site,
        "similarity": near.similarity,
    }


def cluster_json(cluster: Cluster) -> dict[str, Any]:
    """A syndication cluster: its articles (``list`` keys) and the pairs that hold it."""
    return {
        "articles": [summary_json(a) for a in cluster.articles],
        "links": [{"a": a, "b": b, "similarity": sim} for a, b, sim in cluster.links],
    }


def summary_json(item: ArticleSummary) -> dict[str, Any]:
    return {
        "article_id": item.id,
        "url": item.canonical_url,
        "site": item.site,
        "title": item.title,
        "published": item.published,
        "versions": item.version_count,
        "first_seen": iso(item.first_seen),
        "last_checked": iso(item.last_checked),
    }


def recheck_json(health: RecheckHealth) -> dict[str, Any]:
    """Re-check health: articles the circuit breaker flagged, articles whose checks fail."""

    def row(flag: CheckFlag) -> dict[str, Any]:
        return {"article_id": flag.article_id, "url": flag.url, "title": flag.title,
                "tiny_streak": flag.tiny_streak, "failures": flag.failures,
                "error": flag.error, "last_checked": iso(flag.last_checked)}  # fmt: skip

    return {
        "flagged": health.flagged_total,
        "failing": health.failing_total,
        "flagged_articles": [row(f) for f in health.flagged],
        "failing_articles": [row(f) for f in health.failing],
    }


def plain_snippet(snippet: str) -> str:
    return snippet.replace(SNIPPET_MARK_START, "").replace(SNIPPET_MARK_END, "")


def search_json(hit: SearchHit) -> dict[str, Any]:
    return {**summary_json(hit.article), "snippet": plain_snippet(hit.snippet), "rank": hit.rank}


def version_json(version: VersionView, previous: VersionView | None) -> dict[str, Any]:
    words = word_count(version.text)
    return {
        "version": version.seq,
        "created": iso(version.created_at),
        "title": version.title,
        "words": words,
        "words_change": words - word_count(previous.text) if previous else words,
        "chars": len(version.text),
        "capture_id": version.capture_id,
    }


def history_json(article: ArticleView, versions: Sequence[VersionView]) -> dict[str, Any]:
    rows = [version_json(v, versions[i - 1] if i else None) for i, v in enumerate(versions)]
    return {"article_id": article.id, "url": article.canonical_url, "versions": rows}


def diff_json(diff: VersionDiff) -> dict[str, Any]:
    return {
        "article_id": diff.article_id,
        "from": diff.from_seq,
        "to": diff.to_seq,
        "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in diff.fields],
        "words_added": diff.words_added,
        "words_removed": diff.words_removed,
        "ops": [{"op": op.kind, "text": op.text} for op in diff.ops],
    }


def source_json(source: SourceView) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "every": source.every_seconds,
        "cron": source.cron,
        "include": source.include,
        "exclude": source.exclude,
        "paused": source.paused,
        "origin": source.origin,
        "created": iso(source.created_at),
        "last_poll": iso(source.last_poll_at),
        "last_success": iso(source.last_success_at),
        "last_error": source.last_error,
        "last_error_at": iso(source.last_error_at),
        "consecutive_failures": source.consecutive_failures,
        "articles_found": source.articles_found,
        "articles_new": source.articles_new,
        "articles": source.article_count,
        "links_skipped": source.links_skipped,
        "skipped": [{"url": url, "reason": reason} for url, reason in source.skipped],
    }


def poll_json(result: PollResult) -> dict[str, Any]:
    """One poll of a source (`source run --json`, `POST /api/sources/{name}/poll`)."""
    failures = [{"url": url, "error": error} for url, error in result.failures]
    return {"source": result.source, "found": result.found, "new": result.new,
            "failed": result.failed, "unchanged": result.unchanged, "error": result.error,
            "warnings": list(result.warnings), "failures": failures,
            "skipped": [{"url": k.url, "reason": k.reason} for k in result.skipped]}  # fmt: skip
