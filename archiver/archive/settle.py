"""Is a changed page an edit? Re-extraction, chrome churn and volatile blocks say no.

A text that differs from the article's current version is not yet an edit
(``settle``):

1. the current version is extracted again from its own raw capture, with the
   current extractor and template; if that changes its text, the version is
   corrected *in place* (``Store.reextract_version``: same number, a
   re-extraction row keeps the old text) — a template learned since the
   version was made is not an edit;
2. if the new page then still differs only by blocks that are not sentences
   and that the host repeats on other articles or that sit right next to its
   template (a rotated rail item, another ad, a ticking stamp not yet learned
   as template: chrome churn), the page is taken as unchanged;
3. if every difference is a volatile block (``archiver.version.volatile``: a
   line that only ticks — a time, a date, a counter, an age — or a slot of short
   lines that changed on the last fetch too, with nothing else), the blocks are
   learned for the host, removed from its pages from then on, the current
   version (and, for a slot, the one before) is corrected in place, and the
   page is taken as unchanged.

Anything else — a changed sentence, a new paragraph, a new title — is an edit
and becomes a new version; ``Settled.tiny`` says whether it changed only a few
words (the store's circuit breaker counts those).

``reextract_version`` and ``learn_history`` serve ``archiver reextract``: the
same corrections applied to versions already stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from archiver.archive.chrome import Cleaned, clean_blocks, version_in
from archiver.archive.services import Services
from archiver.errors import ArchiverError
from archiver.extract.blocks import fingerprint
from archiver.extract.templates import churn_only
from archiver.records.articles import VersionIn
from archiver.records.extracted import Extracted
from archiver.records.learning import VersionSource
from archiver.version.volatile import Volatile, explain, rail_line, tiny

log = logging.getLogger("archiver.archive")

LEARN_ROUNDS = 3
"""Comparisons of a changed page with the current version, each after learning more."""
HISTORY_ROUNDS = 3
"""Passes over an article's versions when learning volatile blocks from its history."""


async def _previous(
    services: Services, article_id: int, seq: int | None
) -> tuple[VersionSource, Cleaned, VersionIn] | None:
    """A stored version extracted again: its source, blocks and content (None: cannot)."""
    source = await asyncio.to_thread(services.store.version_source, article_id, seq)
    if source is None:
        return None
    try:
        page = await services.extractor.extract(source.body, source.url, source.charset)
    except ArchiverError as exc:
        log.info("cannot re-extract article %d v%d: %s", article_id, source.seq, exc)
        return None
    cleaned = await clean_blocks(services, page, source.site, source.canonical_url, learn=False)
    return source, cleaned, version_in(page, cleaned.blocks)


async def _replace(
    services: Services, source: VersionSource, content: VersionIn, reason: str
) -> bool:
    if content.text_hash == source.text_hash:
        return False
    done = await asyncio.to_thread(
        services.store.reextract_version, source.article_id, source.seq, content, reason=reason
    )
    services.stats.reextracted += done
    return done


async def reextract_version(
    services: Services, article_id: int, seq: int | None = None, *, reason: str
) -> bool | None:
    """Extract a stored version again from its raw capture with the current extractor and
    site template; replace its text in place if that changed it (the version keeps its
    number: a re-extraction is not an edit). None: no body kept, or it no longer extracts.
    """
    previous = await _previous(services, article_id, seq)
    if previous is None:
        return None
    source, _, content = previous
    return await _replace(services, source, content, reason)


async def learn_history(services: Services, article_id: int, versions: int) -> int:
    """Learn the volatile blocks that explain differences between consecutive stored
    versions of the article (each extracted again); how many were new to its host.

    For ``archiver reextract``: an archive made before the rules, or before a host's
    box was learned, is repaired by the re-extraction that follows. Rounds repeat
    (at most ``HISTORY_ROUNDS``) while a round learns something, since what one
    pair taught can leave another pair differing only by a slot.
    """
    learned = 0
    for _ in range(HISTORY_ROUNDS):
        history: list[tuple[str, ...] | None] = []
        found: list[Volatile] = []
        site = ""
        for seq in range(1, versions + 1):
            previous = await _previous(services, article_id, seq)
            history.append(None if previous is None else previous[1].blocks)
            site = site or ("" if previous is None else previous[0].site)
            old, new = history[-2:] if len(history) >= 2 else (None, None)
            if old is None or new is None:
                continue  # a version that no longer extracts: its neighbours are not compared
            before = history[-3] if len(history) >= 3 else None
            found.extend(explain(old, new, before) or ())
        added = await asyncio.to_thread(
            services.store.learn_volatile, site, article_id, tuple(dict.fromkeys(found))
        ) if found else 0  # fmt: skip
        learned += added
        if not added:
            break
    return learned


@dataclass(frozen=True, slots=True)
class Settled:
    """What to record for a changed page: ``content``, and whether it is a tiny edit."""

    content: VersionIn
    tiny: bool = False


async def settle(
    services: Services, article_id: int, page: Extracted, site: str, url: str, cleaned: Cleaned
) -> Settled:
    """What to record for page ``page`` (article ``url`` of ``site``, blocks ``cleaned``)
    whose text differs from the article's current version.

    The page's own content for a real edit, or the current version's content
    (re-extracted) when the difference was only extraction, chrome churn or
    volatile blocks. When volatile blocks are learned, the comparison is made
    again with what was learned (the current version corrected in place), up to
    ``LEARN_ROUNDS`` times.
    """
    content = version_in(page, cleaned.blocks)
    reason = "re-check"
    for round_ in range(LEARN_ROUNDS):
        previous = await _previous(services, article_id, None)
        if previous is None:
            return Settled(content)
        source, old_cleaned, old = previous
        if await _replace(services, source, old, reason):
            log.info("re-extracted article %d v%d (%s)", article_id, source.seq, reason)
        if old.text_hash == content.text_hash or old.title != content.title:
            break
        changed = sorted(set(old_cleaned.blocks).symmetric_difference(cleaned.blocks))
        prints = [fingerprint(b) for b in changed]
        known = await asyncio.to_thread(
            services.store.template_counts, source.site, source.canonical_url, prints
        )
        edges = old_cleaned.edges | cleaned.edges
        if churn_only(changed, prints, known, edges):
            services.stats.churned += 1
            log.debug("article %d: only the site's chrome changed", article_id)
            return Settled(old)
        # Chrome churn, and rail lines at the edge of what the host's template or
        # volatile blocks removed (the rest of a box whose other lines are known).
        churn = {
            b
            for b, p in zip(changed, prints, strict=True)
            if churn_only([b], [p], known, edges) or (b in edges and rail_line(b))
        }
        if not set(changed) - churn:
            services.stats.volatile += 1
            return Settled(old)
        if round_ == LEARN_ROUNDS - 1:
            break
        learned = await _learn_volatile(services, source, old_cleaned.blocks, cleaned.blocks, churn)
        if learned is None:
            break
        if not learned:  # only stamps ticking inside long blocks: nothing to learn
            services.stats.volatile += 1
            return Settled(old)
        if any(v.kind == "slot" for v in learned) and source.seq > 1:
            await reextract_version(services, article_id, source.seq - 1, reason="volatile")
        cleaned = await clean_blocks(services, page, site, url, learn=False)
        content = version_in(page, cleaned.blocks)
        reason = "volatile"
    if old.text_hash == content.text_hash:
        services.stats.volatile += reason == "volatile"
        return Settled(content)
    return Settled(content, tiny(old_cleaned.blocks, cleaned.blocks))


async def _learn_volatile(
    services: Services,
    source: VersionSource,
    old: tuple[str, ...],
    new: tuple[str, ...],
    churn: set[str],
) -> tuple[Volatile, ...] | None:
    """The volatile blocks that explain the whole difference (but the blocks of ``churn``,
    the host's chrome churn), learned for the host; None: something else changed."""
    old, new = tuple(b for b in old if b not in churn), tuple(b for b in new if b not in churn)
    found = explain(old, new)
    if found is None:
        text = await asyncio.to_thread(services.store.prior_text, source.article_id)
        if text is not None:
            before = [b for b in text.split("\n\n") if b.strip() and b not in churn]
            found = explain(old, new, before)
    if not found:
        return found
    await asyncio.to_thread(services.store.learn_volatile, source.site, source.article_id, found)
    kinds = ", ".join(f"{v.kind} {v.key}" for v in found)
    log.info(
        "article %d: learned volatile blocks of %s (%s)", source.article_id, source.site, kinds
    )
    return found
