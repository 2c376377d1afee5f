"""What extraction returns: plain, picklable data."""

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
    """Clean article text and metadata of one page."""

    text: str  # clean main text, paragraphs separated by "\n\n"
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 date or datetime as found
    modified: str | None = None
    site_name: str | None = None
    language: str | None = None  # BCP 47-ish, e.g. "en"
    description: str | None = None
    links: PageLinks = field(default_factory=PageLinks)
