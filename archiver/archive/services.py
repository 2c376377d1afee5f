"""What an archive step needs, opened and closed in one place.

``open_services`` opens the fetcher, the extractor pool and (unless given) the
store for the CLI, the daemon, the web and scripts; ``Services`` carries them,
with the settings each step reads (the re-check ladder, the site-template
rules, the canonical policy) and the counters steps keep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from archiver.batch import window_for
from archiver.config import Settings
from archiver.extract import ExtractorPool
from archiver.extract.templates import TemplateRules
from archiver.fetch import Fetcher
from archiver.fetch.shared import SharedGate
from archiver.identify import CanonicalPolicy
from archiver.store import Store
from archiver.version.ladder import Ladder


@dataclass(slots=True)
class PipelineStats:
    """Counters of what the archive step did (for status output and tests)."""

    fetched: int = 0
    not_modified: int = 0  # 304 answers: nothing parsed or extracted
    identical: int = 0  # same raw body as the last capture: not extracted
    extracted: int = 0
    errors: int = 0
    reextracted: int = 0  # versions whose text a re-extraction of their capture replaced
    churned: int = 0  # changed pages whose only differences were the site's recurring chrome
    volatile: int = 0  # changed pages whose only differences were volatile blocks


@dataclass(frozen=True, slots=True)
class Services:
    """Everything an archive step needs, passed in explicitly."""

    fetcher: Fetcher
    extractor: ExtractorPool
    store: Store
    ladder: Ladder | tuple[float, ...] = ()  # re-check schedule; () schedules no re-checks
    stats: PipelineStats = field(default_factory=PipelineStats)
    templates: TemplateRules = field(default_factory=TemplateRules)  # extract.template_*
    identity: CanonicalPolicy = field(default_factory=CanonicalPolicy)  # canonical_partners
    window: int = 32  # archive steps a batch keeps in flight (see archiver.batch)


def template_rules(settings: Settings) -> TemplateRules:
    extract = settings.extract
    return TemplateRules(extract.template_min_pages, extract.template_min_share, extract.templates)


@asynccontextmanager
async def open_services(settings: Settings, store: Store | None = None) -> AsyncIterator[Services]:
    """Open a fetcher, an extractor pool and (unless given) the store; close them after."""
    own_store = store is None
    settings.ensure_home()
    db = store if store is not None else Store(settings.db_url, clusters=settings.clusters.params)
    extractor = ExtractorPool(settings.extract.workers, settings.extract.timeout)
    try:
        # On the job queue every worker shares each host's politeness and robots.txt
        # through the store (archiver.fetch.shared); inline, this process keeps them.
        shared = settings.daemon.queue == "procrastinate"
        gate = SharedGate.from_settings(settings.fetch, db) if shared else None
        async with Fetcher(settings.fetch, gate=gate, robots=db if shared else None) as fetcher:
            yield Services(
                fetcher, extractor, db, ladder=settings.daemon.ladder,
                templates=template_rules(settings),
                identity=CanonicalPolicy.from_settings(settings.identify.canonical_partners),
                window=window_for(settings.fetch.concurrency),
            )  # fmt: skip
    finally:
        extractor.close(wait=False)
        if own_store:
            db.close()
