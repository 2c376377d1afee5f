"""What extraction returns: plain, picklable data (a record every stage may import
without loading the extract stage and trafilatura)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PageLinks:
    """Structural facts read from the page's <head> with selectolax."""

    canonical: str | None = None  # absolute <link rel=canonical> href
    og_url: str | None = None  # absolute og:url
    amp_canonical: str | None = None  # set only when the page itself is AMP: its canonical
    amphtml: str | None = None  # <link rel=amphtml> of a non-AMP page


@dataclass(frozen=True, slots=True)
class Extracted:
    """Clean article text and metadata of one page.

    ``blocks`` are the paragraphs ``text`` is made of (``text`` is them joined
    by a blank line), ``prints`` their fingerprints
    (``archiver.extract.blocks.fingerprint``) and ``linked`` whether each is
    the text of a link, for site-template learning. ``candidates`` are the
    fingerprints of all the blocks trafilatura kept, before archiver's
    post-filters trimmed the text's edges: a site's template is learned from
    those, so a promo that the trimming drops on most pages but not on all is
    still counted on every page that carries it.
    The worker knows no template: the pipeline removes the host's template
    blocks from ``blocks`` before the text is hashed and stored.
    """

    text: str  # clean main text, paragraphs separated by "\n\n"
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 date or datetime as found
    modified: str | None = None
    site_name: str | None = None
    language: str | None = None  # BCP 47-ish, e.g. "en"
    description: str | None = None
    links: PageLinks = field(default_factory=PageLinks)
    blocks: tuple[str, ...] = ()
    prints: tuple[str, ...] = ()
    linked: tuple[bool, ...] = ()  # per block: its text is the text of a link
    candidates: tuple[str, ...] = ()  # fingerprints of every block before the post-filters
