"""Site chrome in the archive step: learn each page's blocks per host, remove the
host's template and its volatile blocks before the text becomes a version.

The extraction worker returns a page's blocks and their fingerprints and
knows no template (it stays a pure function of the page's bytes). Here, in
the parent, the host's template knowledge is read from the store, the page is
counted for its host (``learn``), and the host's template blocks and learned
volatile blocks are removed before the text is hashed into a version
(``clean_blocks``). Whether a changed text is an edit is ``settle``'s call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from archiver.archive.services import Services
from archiver.extract.blocks import fingerprint
from archiver.extract.templates import (
    TemplateRules,
    is_near_duplicate,
    template_indices,
    without,
)
from archiver.records.articles import VersionIn
from archiver.records.extracted import Extracted
from archiver.records.learning import TemplateCounts
from archiver.version import content_hash
from archiver.version.volatile import volatile_indices


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
    store = services.store
    known = await asyncio.to_thread(store.template_counts, site, url, prints)
    if rules.enabled and learn and not is_near_duplicate(blocks, prints, known):
        taught = tuple(dict.fromkeys((*prints, *page.candidates)))
        known = await asyncio.to_thread(store.learn_template, site, url, taught)
    linked = page.linked if len(page.linked) == len(blocks) else ()
    return _without(blocks, prints, known, rules, linked)


def _without(
    blocks: tuple[str, ...],
    prints: tuple[str, ...],
    known: TemplateCounts,
    rules: TemplateRules,
    linked: tuple[bool, ...],
) -> Cleaned:
    """The blocks without the host's template, then without its volatile blocks; the kept
    blocks that touched a removed one are the edges (where template churn shows)."""
    removed = template_indices(blocks, prints, known, rules, linked) if rules.enabled else set()
    kept = [i for i in range(len(blocks)) if i not in removed]
    if known.volatile or known.slots:
        ticking = volatile_indices(
            [blocks[i] for i in kept], [prints[i] for i in kept], known.volatile, known.slots
        )
        removed |= {kept[k] for k in ticking}
    return Cleaned(*without(blocks, removed))
