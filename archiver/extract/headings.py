"""Subheadings inside the article body, whatever their markup.

trafilatura keeps ``<h2>``-``<h4>`` inside the text it extracts but drops a
section title that is a styled ``<div>``, ``<span>`` or ``<strong>`` line
(hashed-class markup: ``<div class="css-6f49b6">Historical Context</div>``),
and now and then the first ``<h2>`` of the body. ``recover_headings`` puts
them back: in the element that holds the article's paragraphs, a child that
reads as a section title and
that comes right before one of the extracted prose paragraphs is inserted
before it. A title is a heading element or a styled line of plain text (no
link, image or script inside), short, with no sentence, figure, chrome line or
photo credit.
A rail's or a menu's labels are never there: they sit outside that element,
or are links.
"""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.extract.blocks import is_prose, spoken_words
from archiver.extract.lines import clean_paragraphs
from archiver.extract.postfilter import container_of, link_share

HEADING_WORDS = 10
"""A subheading has at most this many words."""
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_STYLED_TAGS = frozenset({"div", "span", "p", "strong", "b"})
_INLINE = frozenset({"-text", "strong", "b", "em", "i", "span", "br"})
"""What a styled subheading may hold: text and inline emphasis (no link, image, script)."""


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _plain(node: LexborNode) -> bool:
    return all(child.tag in _INLINE for child in node.traverse(include_text=True) if child != node)


def _heading(node: LexborNode, text: str, links: Sequence[str]) -> bool:
    """A section title: a heading element, or a styled line of plain text, that reads as
    a title (short, no sentence, no figure, starts with a capital) and is no chrome line,
    caption or link."""
    if node.tag not in _HEADING_TAGS and not (node.tag in _STYLED_TAGS and _plain(node)):
        return False
    if not text or not 1 <= spoken_words(text) <= HEADING_WORDS or is_prose(text):
        return False
    if text.endswith((":", ",", ";")) or any(ch.isdigit() for ch in text):
        return False
    if not (text[0].isupper() or not text[0].isalpha()) or clean_paragraphs(text) != [text]:
        return False
    return link_share(text, links) < 0.5


def recover_headings(
    paragraphs: Sequence[str], tree: LexborHTMLParser, links: Sequence[str]
) -> list[str]:
    """``paragraphs`` with the subheadings of their element put back in their place."""
    container = container_of(paragraphs, tree, "p, div")
    if container is None:
        return list(paragraphs)
    have = set(paragraphs)
    before: dict[str, str] = {}  # paragraph -> the heading right before it
    pending: str | None = None
    for child in container.iter():
        text = _norm(child.text(deep=True))
        if text in have:
            if pending is not None and text not in before and is_prose(text):
                before[text] = pending
            pending = None
        elif _heading(child, text, links) and text not in have:
            pending = text
        else:
            pending = None
    if not before:
        return list(paragraphs)
    out: list[str] = []
    for paragraph in paragraphs:
        heading = before.pop(paragraph, None)
        if heading is not None and (not out or out[-1] != heading):
            out.append(heading)
        out.append(paragraph)
    return out
