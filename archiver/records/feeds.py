"""Plain records of the change feeds: one entry per version, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Which articles a feed follows: all of them, one site, one source or one article."""

    site: str | None = None
    source: str | None = None
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A version of an article: seq 1 is a new article, any later seq an update."""

    article_id: int
    url: str
    site: str
    seq: int
    title: str | None
    description: str | None
    text: str
    created_at: datetime
