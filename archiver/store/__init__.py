"""The store: every database access in archiver goes through ``Store``.

Callers exchange only the plain dataclasses of ``archiver.records.articles``;
sessions, models and SQL stay inside this package.
"""

from archiver.records.articles import (
    SNIPPET_MARK_END,
    SNIPPET_MARK_START,
    ArticleSummary,
    ArticleView,
    CaptureIn,
    CaptureView,
    CheckState,
    DueCheck,
    Outcome,
    RecordResult,
    SearchHit,
    SourceSpec,
    SourceView,
    StatusView,
    VersionIn,
    VersionView,
)
from archiver.store.repository import Store

__all__ = [
    "SNIPPET_MARK_END",
    "SNIPPET_MARK_START",
    "ArticleSummary",
    "ArticleView",
    "CaptureIn",
    "CaptureView",
    "CheckState",
    "DueCheck",
    "Outcome",
    "RecordResult",
    "SearchHit",
    "SourceSpec",
    "SourceView",
    "StatusView",
    "Store",
    "VersionIn",
    "VersionView",
]
