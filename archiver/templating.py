"""Site templates in the archive step: learn, filter, and never mistake chrome for an edit.

The extraction worker returns a page's blocks and their fingerprints and
knows no template (it stays a pure function of the page's bytes). Here, in
the parent, the host's template knowledge is read from the store, the page is
counted for its host (``learn``), and the host's template blocks are removed
before the text is hashed into a version (``clean_blocks``).

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
   as template: chrome churn), the page is taken as unchanged.

Anything else — a changed sentence, a new paragraph, a new title — is an edit
and becomes a new version.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archiver.config import Settings
from archiver.errors import ArchiverError
from archiver.extract.blocks import fingerprint
from archiver.extract.result import Extracted
from archiver.extract.templates import (
    TemplateRules,
    apply_template,
    churn_only,
    is_near_duplicate,
)
from archiver.store.records import VersionIn
from archiver.store.template_records import VersionSource
from archiver.version import content_hash

if TYPE_CHECKING:
    from archiver.pipeline import Services

log = logging.getLogger("archiver.pipeline")


def template_rules(settings: Settings) -> TemplateRules:
    extract = settings.extract
    return TemplateRules(extract.template_min_pages, extract.template_min_share, extract.templates)


def version_in(page: Extracted, blocks: tuple[str, ...]) -> VersionIn:
    """The candidate version made of ``blocks`` (the page's blocks, template removed)."""
    text = "\n\n".join(blocks)
    return VersionIn(
        title=page.title,
        authors=page.authors,
        published=page.published,
        modified=page.modified,
        site_name=page.site_name,
        language=page.language,
        description=page.description,
        text=text,
        text_hash=content_hash(page.title, text),
    )


def page_blocks(page: Extracted) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The page's blocks and fingerprints (made here if an extractor gave none)."""
    if page.blocks and len(page.prints) == len(page.blocks):
        return page.blocks, page.prints
    blocks = tuple(b for b in page.text.split("\n\n") if b.strip())
    return blocks, tuple(fingerprint(b) for b in blocks)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A page's blocks with its host's template removed."""

    blocks: tuple[str, ...]
    edges: frozenset[str] = frozenset()  # kept blocks next to a removed template block


async def clean_blocks(
    services: Services, page: Extracted, site: str, url: str, *, learn: bool
) -> Cleaned:
    """The page's blocks without its host's template blocks.

    With ``learn`` the page (article ``url``) is first counted for its host,
    unless it is a near-copy of articles already learned.
    """
    blocks, prints = page_blocks(page)
    rules = services.templates
    if not rules.enabled:
        return Cleaned(blocks)
    store = services.store
    known = await asyncio.to_thread(store.template_counts, site, url, prints)
    if learn and not is_near_duplicate(blocks, prints, known):
        taught = tuple(dict.fromkeys((*prints, *page.candidates)))
        known = await asyncio.to_thread(store.learn_template, site, url, taught)
    linked = page.linked if len(page.linked) == len(blocks) else ()
    return Cleaned(*apply_template(blocks, prints, known, rules, linked))


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


async def settle(
    services: Services, article_id: int, cleaned: Cleaned, content: VersionIn
) -> VersionIn:
    """What to record for a page whose text differs from the article's current version.

    Returns ``content`` for a real edit, or the current version's own content
    (re-extracted) when the difference was only extraction or chrome churn.
    """
    previous = await _previous(services, article_id, None)
    if previous is None:
        return content
    source, old_cleaned, old = previous
    if await _replace(services, source, old, "re-check"):
        log.info("re-extracted article %d v%d: extraction changed", article_id, source.seq)
    if old.text_hash == content.text_hash or old.title != content.title:
        return content
    changed = sorted(set(old_cleaned.blocks).symmetric_difference(cleaned.blocks))
    prints = [fingerprint(b) for b in changed]
    known = await asyncio.to_thread(
        services.store.template_counts, source.site, source.canonical_url, prints
    )
    if not churn_only(changed, prints, known, old_cleaned.edges | cleaned.edges):
        return content
    services.stats.churned += 1
    log.debug("article %d: only the site's chrome changed", article_id)
    return old
