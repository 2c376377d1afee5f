"""Single-page post-filters: trim what trafilatura's balanced mode keeps around the article.

Measured on the article-extraction benchmark (bench/extraction.py, 181 pages;
mean token precision / recall, F1 of the means), each step on top of the one
before; plain ``trafilatura.extract`` scores P 0.928 R 0.978 F1 0.953:

    step                                              precision  recall   F1
    balanced extraction + page.py line filters        0.947      0.979    0.963
    + repeated title lines dropped (page.drop_title)  0.952      0.979    0.965
    + cut to the precision core (trim_to_core)        0.966      0.978    0.972
    + "Related: <link>" lines (drop_link_labels)      0.967      0.979    0.973
    + link lists at the edges (trim_link_edges)       0.971      0.978    0.974
    + split article bodies (recover_split_body)       0.971      0.984    0.978

The precision core costs a second trafilatura pass (favor_precision with the
readability/jusText comparison): extraction takes about 2.5 times as long
(~50 ms a page instead of ~20), still far below the per-page time limit.

**The precision core.** trafilatura's ``favor_precision`` mode (with the
readability/jusText comparison, ``fast=False``) rarely keeps a menu, a
related-stories list or a subscription box, but it also drops real paragraphs
(on the benchmark it loses a whole article, and 0.8 points of recall). So it
is used as a witness, not as the result: the balanced text is cut to the span
from the first to the last paragraph the precision text also has. Paragraphs
the precision mode dropped *inside* that span stay (that is where its recall
losses are), and so do those outside it that sit in the very element holding
the span's paragraphs (precision mode also drops a body's first or last
paragraph now and then); what is cut is the junk before the article starts
and after it ends. When the two texts share under ``CORE_SHARE`` of the balanced text's
prose, they disagree on what the article is, and the balanced text is kept
whole: across 0.2-0.5 the benchmark result is the same.

**Link lines.** A paragraph that is mostly the text of links (``link_share``)
is a list of links. At the start or end of the text that is a menu or a
related-stories rail; inside it, only when a label says so ("Read more:",
"Related:", "See also:"), since articles link inline all the time.

**Split bodies.** Some sites cut the article body into several containers
with an ad between each (``<div class="article__body">`` five times);
trafilatura keeps the first. ``recover_split_body`` finds the container of the
extracted paragraphs in the page and appends the prose paragraphs of the
containers *after* it that have exactly its tag and class (on the benchmark:
recall of two pages from 0.35 and 0.45 to about 0.97, no other page touched).

Generic rules only: nothing here names a site. Each rule was kept because it
removed chrome from several benchmark pages and article text from (almost)
none; ``options.py`` documents the trafilatura settings themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.extract.blocks import is_prose

CORE_SHARE = 0.3
"""The precision text must share this much of the balanced text's prose to cut to it."""
PROSE_TOKENS = 15
"""Paragraphs of at least this many words count as prose when comparing the two texts."""
EDGE_LINK_SHARE = 0.7
"""An edge paragraph this much made of link text is a list of links."""
LABEL_LINK_SHARE = 0.5
"""After a "Related:"-style label, this much link text makes the line a link."""
MIN_LINK_CHARS = 4
BLOCK_TAGS = "p, div, li, h2, h3, h4, blockquote, pre"
"""Elements a paragraph of trafilatura's text can come from."""
RECOVER_LINK_SHARE = 0.3
"""A recovered paragraph must be mostly plain text, not links."""

_TOKEN = re.compile(r"\w+")
_LINK_LABEL = re.compile(
    r"""(?ix)^[\W_]*
    (?:related(?:\ (?:articles?|stories|coverage|content|links?|posts?|reading))?
     |read\ (?:more|also|next)|also\ read|see\ (?:more|also)|more|don'?t\ miss
     |watch|also\ on\ [\w.]+|recommended(?:\ for\ you)?|further\ reading|you\ may\ also\ like
     |more\ from\ [\w.\ ]{1,40}|click\ here)
    \b\s*[:\-–—|]+\s*""",
)


def _tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _prose_tokens(paragraphs: Iterable[str]) -> int:
    return sum(n for n in map(_tokens, paragraphs) if n >= PROSE_TOKENS)


def trim_to_core(
    paragraphs: Sequence[str], strict: Sequence[str], tree: LexborHTMLParser | None = None
) -> list[str]:
    """``paragraphs`` from the first to the last one ``strict`` (precision mode) also has,
    plus those outside that span that sit in the very element holding the span's
    paragraphs (``tree``: the page), which precision mode dropped from the body's ends."""
    shared = set(strict)
    common = [i for i, p in enumerate(paragraphs) if p in shared]
    if not common:
        return list(paragraphs)
    total = _prose_tokens(paragraphs)
    if not total or _prose_tokens(paragraphs[i] for i in common) < CORE_SHARE * total:
        return list(paragraphs)
    lo, hi = common[0], common[-1] + 1
    body = _sibling_texts(paragraphs[lo:hi], tree) if tree is not None else set()
    return [p for i, p in enumerate(paragraphs) if lo <= i < hi or p in body]


def link_share(line: str, links: Sequence[str]) -> float:
    """Share of ``line``'s visible characters that belong to link texts (``links``,
    longest first)."""
    covered = bytearray(len(line))
    for link in links:
        if len(link) < MIN_LINK_CHARS or link not in line:
            continue
        start = line.find(link)
        while start >= 0:
            covered[start : start + len(link)] = b"\x01" * len(link)
            start = line.find(link, start + len(link))
    visible = [i for i, ch in enumerate(line) if not ch.isspace()]
    return sum(covered[i] for i in visible) / len(visible) if visible else 0.0


def ordered_links(link_texts: Iterable[str]) -> list[str]:
    """Link texts worth matching, longest first (so a long link wins over its words)."""
    return sorted({t for t in link_texts if len(t) >= MIN_LINK_CHARS}, key=len, reverse=True)


def trim_link_edges(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without the link lists at the start and end of the text (keeps one paragraph)."""
    lo, hi = 0, len(paragraphs)
    while hi - lo > 1 and link_share(paragraphs[hi - 1], links) >= EDGE_LINK_SHARE:
        hi -= 1
    while hi - lo > 1 and link_share(paragraphs[lo], links) >= EDGE_LINK_SHARE:
        lo += 1
    return list(paragraphs[lo:hi])


def drop_link_labels(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without "Read more: <link>" lines: a label, then mostly the text of a link."""
    kept = []
    for paragraph in paragraphs:
        label = _LINK_LABEL.match(paragraph)
        rest = paragraph[label.end() :] if label else ""
        if rest and link_share(rest, links) >= LABEL_LINK_SHARE:
            continue
        kept.append(paragraph)
    return kept


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _words_of(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


def _sibling_texts(paragraphs: Sequence[str], tree: LexborHTMLParser) -> set[str]:
    """Texts of the children of the element holding most of ``paragraphs`` (any tag)."""
    container = _container(paragraphs, tree, BLOCK_TAGS)
    if container is None:
        return set()
    return {_norm(child.text(deep=True)) for child in container.iter()}


def _container(
    paragraphs: Sequence[str], tree: LexborHTMLParser, tags: str = "p"
) -> LexborNode | None:
    """The element holding most of the extracted words as ``tags`` children (two or more)."""
    wanted = set(paragraphs)
    by_text: dict[str, LexborNode] = {}
    for node in tree.css(tags):
        text = _norm(node.text(deep=True))
        if text in wanted:
            by_text.setdefault(text, node)
    parents: Counter[int] = Counter()
    members: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    for paragraph in paragraphs:
        found = by_text.get(paragraph)
        parent = found.parent if found is not None else None
        if parent is not None:
            parents[parent.mem_id] += _tokens(paragraph)  # the article: where the words are
            members[parent.mem_id] = members.get(parent.mem_id, 0) + 1
            nodes[parent.mem_id] = parent
    if not parents:
        return None
    best = parents.most_common(1)[0][0]
    return nodes[best] if members[best] >= 2 else None


def recover_split_body(
    paragraphs: Sequence[str], tree: LexborHTMLParser, links: Sequence[str]
) -> list[str]:
    """``paragraphs`` plus the prose of the containers after theirs with the same tag and
    class: the rest of an article body cut into pieces (see the module docstring)."""
    container = _container(paragraphs, tree)
    classes = container.attributes.get("class") if container is not None else None
    if container is None or not classes:
        return list(paragraphs)
    known = _words_of(" ".join(paragraphs))
    added: list[str] = []
    after = False
    for node in tree.css(container.tag or "div"):
        if node.mem_id == container.mem_id:
            after = True
            continue
        if not after or node.attributes.get("class") != classes:
            continue
        for child in node.iter():
            text = _norm(child.text(deep=True)) if child.tag == "p" else ""
            if (
                _tokens(text) >= PROSE_TOKENS
                and is_prose(text)
                and link_share(text, links) < RECOVER_LINK_SHARE
                and _words_of(text) not in known
            ):
                added.append(text)
                known += " " + _words_of(text)
    return [*paragraphs, *added]
