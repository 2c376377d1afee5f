"""Plain data of syndication clusters (store boundary), like ``records.articles``."""

from __future__ import annotations

from dataclasses import dataclass

from archiver.records.articles import ArticleSummary


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Another article whose current text is a near duplicate of this one's."""

    article_id: int
    url: str  # its canonical URL
    site: str
    similarity: float  # estimated Jaccard similarity of the word shingles, 0-1


@dataclass(frozen=True, slots=True)
class Cluster:
    """Articles that are one story: each a near duplicate of at least one other member.

    ``articles`` newest first (by first seen); ``links`` the verified pairs
    (article id, article id, similarity) that hold the cluster together.
    """

    articles: tuple[ArticleSummary, ...]
    links: tuple[tuple[int, int, float], ...]
