"""Plain data of site templates, re-extractions and extraction health (store boundary).

Like ``records``: frozen dataclasses, no database access, timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BlockStat:
    """What the store knows about one fingerprint on one host."""

    pages: int  # distinct articles of the host that carried it
    since: int  # the host's article count when it was first seen (1 = the first article)


@dataclass(frozen=True, slots=True)
class TemplateCounts:
    """A host's knowledge about the fingerprints of one page.

    ``pages`` is the number of distinct articles learned for the host;
    ``stats`` maps fingerprints to their counts (unknown ones are absent);
    ``own`` holds the fingerprints this very article contributed already;
    ``volatile`` the page's fingerprints the host learned to tick, and ``slots``
    the rotating slots anchored on them (``archiver.version.volatile``).
    """

    pages: int = 0
    stats: Mapping[str, BlockStat] = field(default_factory=dict)
    own: frozenset[str] = frozenset()
    volatile: frozenset[str] = frozenset()
    slots: Mapping[str, int] = field(default_factory=dict)

    @property
    def articles(self) -> int:
        """The host's article count with this page counted (it may not be learned yet)."""
        return self.pages + (0 if self.own else 1)

    def seen(self, print_: str) -> int:
        """Distinct articles carrying ``print_``, this page counted (at least 1)."""
        stat = self.stats.get(print_)
        return (stat.pages if stat else 0) + (0 if print_ in self.own else 1)

    def others(self, print_: str) -> int:
        """Distinct *other* articles carrying ``print_``."""
        return self.seen(print_) - 1

    def share(self, print_: str) -> float:
        """Share of the host's articles since ``print_`` first appeared that carry it."""
        stat = self.stats.get(print_)
        window = max(1, self.articles - stat.since + 1) if stat else 1
        return min(1.0, self.seen(print_) / window)


@dataclass(frozen=True, slots=True)
class VersionSource:
    """What re-extracting a version needs: its capture's raw body, URL and charset."""

    article_id: int
    seq: int
    site: str
    canonical_url: str
    text_hash: str
    body: bytes
    url: str  # the final URL of the capture (the extractor's base URL)
    charset: str | None


@dataclass(frozen=True, slots=True)
class ReextractTarget:
    """An article ``archiver reextract`` goes over."""

    article_id: int
    versions: int
    site: str
    url: str  # canonical URL
    learned: bool  # its blocks are counted in its site's template already


@dataclass(frozen=True, slots=True)
class ReextractionView:
    """A version's text replaced by a re-extraction of the same capture (not a new version)."""

    article_id: int
    seq: int  # the version that was re-extracted
    created_at: datetime
    reason: str
    old_title: str | None
    old_text: str
    old_text_hash: str
    new_text_hash: str


@dataclass(frozen=True, slots=True)
class ExtractionHealth:
    """How a source's extractions went over its last polls, and whether that jumped."""

    source_id: int
    polls: int  # recent polls the shares are taken over
    extracted: int  # extraction attempts in those polls
    empty: float  # shares of those attempts: no article text at all
    short: float  # fewer than ``SHORT_WORDS`` words
    dateless: float  # no published date found
    baseline: tuple[float, float, float] | None  # (empty, short, dateless) in earlier polls
    jumped: bool  # one of the shares rose well above its baseline: a site redesign?
