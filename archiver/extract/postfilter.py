"""Single-page post-filters: trim what trafilatura keeps around the article.

A post-filter removes a block only on positive evidence that it is chrome:
link density, a label, a known shape (``lines.py``, ``edges.py``), the site's
template (``templates.py``, learned across the host's pages). Never because
another extraction left it out: the second, stricter pass that once bounded the
article looked best on the benchmark it was tuned on and kept a third of some
articles elsewhere. ``page._filtered`` undoes the filters when together they
took half of the words.

Measured with ``bench/extraction.py`` (P / R / F; article-extraction-benchmark
and readability test pages), each step on top of the one before:

    step                                                article set        readability set
    plain trafilatura.extract                           .928 .978 .953     .936 .923 .929
    one pass + line filters, title lines, "Related:"
      labels, link lists at the edges, split bodies     .954 .983 .968     .945 .896 .920
    + menus and teaser rails at the edges (edges.py)    .956 .983 .970     .945 .896 .920
    + known chrome lines (lines.py)                     .958 .983 .970     .945 .896 .920
    + copies of the article (lines.drop_copies)         .961 .983 .972     .945 .896 .920
    + capital promo links, hover-card ledes kept        .961 .984 .972     .945 .896 .920

**Link lines.** A paragraph that is mostly the text of links (``link_share``)
is a list of links. At the start or end of the text that is a menu or a
related-stories rail, unless it is a long sentence (a lede whose names carry
hover cards); inside the text, only when a label says so ("Read more:",
"Related:", "See also:"), since articles link inline all the time, or when it
is a headline in capitals that links elsewhere ("CLICK HERE TO GET THE APP").

**Split bodies.** Some sites cut the article body into several containers
with an ad between each (``<div class="article__body">`` five times);
trafilatura keeps the first. ``recover_split_body`` finds the container of the
extracted paragraphs in the page and appends the prose paragraphs of the
containers *after* it that have exactly its tag and class (on the benchmark:
recall of two pages from 0.35 and 0.45 to about 0.97, no other page touched).

Generic rules only: nothing here names a site. Each rule was kept because it
removed chrome on one reference set and article text on neither;
``options.py`` documents the trafilatura settings themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.extract.blocks import is_prose
from archiver.extract.stamps import stamp_spans, stamped, status_note, unstamped

PROSE_TOKENS = 15
"""A recovered paragraph has at least this many words."""
EDGE_LINK_SHARE = 0.7
"""An edge paragraph this much made of link text is a list of links."""
LABEL_LINK_SHARE = 0.5
"""After a "Related:"-style label, this much link text makes the line a link."""
MIN_LINK_CHARS = 4
LONG_PROSE_WORDS = 25
"""A sentence-ended paragraph this long is never a list of links."""
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


def link_share(line: str, links: Sequence[str], also: Iterable[tuple[int, int]] = ()) -> float:
    """Share of ``line``'s visible characters that belong to link texts (``links``,
    longest first), or to the spans ``also`` (a rail item's "12 min ago")."""
    covered = bytearray(len(line))
    for start, end in also:
        covered[start:end] = b"\x01" * (end - start)
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


def _link_list(paragraph: str, links: Sequence[str]) -> bool:
    """Mostly link text, and not a long sentence: a lede whose names carry hover cards
    ("Gov. Kristi NoemKristi Lynn NoemSouth Dakota governor ...") is linked all over."""
    if len(paragraph.split()) >= LONG_PROSE_WORDS and is_prose(paragraph):
        return False
    return link_share(paragraph, links) >= EDGE_LINK_SHARE


def trim_link_edges(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without the link lists at the start and end of the text (keeps one paragraph)."""
    lo, hi = 0, len(paragraphs)
    while hi - lo > 1 and _link_list(paragraphs[hi - 1], links):
        hi -= 1
    while hi - lo > 1 and _link_list(paragraphs[lo], links):
        lo += 1
    return list(paragraphs[lo:hi])


def _stamped_link(paragraph: str, links: Sequence[str]) -> bool:
    """A headline link with its age, time or counter ("Storm closes schools 12 min ago",
    "Markets fall · 1,204 comments"): an item of a rail, whatever its place in the text."""
    if len(paragraph.split()) >= LONG_PROSE_WORDS or not stamped(paragraph):
        return False
    return len(unstamped(paragraph).split()) >= 2 and (
        link_share(paragraph, links, stamp_spans(paragraph)) >= EDGE_LINK_SHARE
    )


def drop_stamped_links(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without rail items (``_stamped_link``) and status lines ("12,345 readers right now",
    "Updated at 03:54:13", ``stamps.status_note``): a "Most read" box whose headlines
    rotate and whose clock ticks would make every re-fetch look like an edit, and
    neither says anything of the article."""
    return [p for p in paragraphs if not (status_note(p) or _stamped_link(p, links))]


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


def container_of(
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
    container = container_of(paragraphs, tree)
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


CAPS_LINK_SHARE = 0.9
"""An all-capitals line this much made of link text is a promo link ("CLICK HERE TO ...")."""


def drop_caps_links(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without the all-capitals headlines that link to other stories: a line in capitals
    (three words or more, no sentence) that is the text of a link."""
    return [
        p
        for p in paragraphs
        if not (
            len(p.split()) >= 3
            and p.upper() == p
            and any(ch.isalpha() for ch in p)
            and not is_prose(p)
            and link_share(p, links) >= CAPS_LINK_SHARE
        )
    ]
