"""Refuse markup nested too deep or too large to extract, before any parser sees it.

The extractor is superlinear on deep nesting: for each block start tag,
lexbor's HTML5 tree builder scans its stack of open elements (is a ``<p>`` in
scope?), and the post-filters read each block's text over all its
descendants, so 20,000 nested ``<div>`` cost 11 s and 100,000 take minutes,
mostly in C code that no signal interrupts. (trafilatura's lxml stops building
at depth 255: nothing deeper is extracted anyway.) trafilatura itself costs
seconds per 10,000 elements. ``check_bounds`` reads the decoded page once, with
one regular expression and a model of the tree builder's stack (amortised O(1)
per tag), and raises ``PageTooComplexError`` past ``MAX_DEPTH``,
``MAX_ELEMENTS`` or ``MAX_TAGS``: such a page fails in milliseconds (a 20 MB
body read up to the limits: well under a second), with a reason, instead of
running into the pool's time limit and costing a worker.

The model skips comments and raw text (``<script>``, ``<style>``...), closes an
element at its end tag (and whatever is open inside it) and at the implied
ends of ``<p>``, ``<li>``, ``<td>``..., and does not count foreign (SVG,
MathML) nesting, which costs nothing. On the evaluation pages its depth is
within a few levels of lexbor's. It is a size guard, not an HTML parser:
markup crafted to differ from it (tags inside attribute values, bogus
comments) is still bounded by the pool's time limit, as is any page under the
limits that is slow for other reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from archiver.errors import PageTooComplexError

# Over the 181 article-extraction-benchmark and 130 readability test pages the
# deepest nesting is 51 and the most elements 9,888 (a Wikipedia article).
# Blink flattens the DOM beyond depth 512. At 1,000 levels parsing and the
# post-filters take milliseconds. trafilatura takes 40 s on 200,000 table
# cells, 80 s on 100,000 paragraphs: a page over 300,000 elements could only
# run into the pool's time limit (30 s by default).
MAX_DEPTH = 1_000
MAX_ELEMENTS = 300_000
MAX_TAGS = 2 * MAX_ELEMENTS  # start and end tags and comments: bounds the scan itself

_RAW = "script|style|textarea|title|xmp|iframe|noembed|noframes"  # text up to their end tag
# A comment (to the end if unterminated), a raw-text element's start tag and
# text, or a start or end tag's name; a "<" that starts none of them is text.
_TOKENS = re.compile(
    r"<(?:!--.*?(?:-->|\Z)"
    rf"|((?i:{_RAW}))\b[^<>]*+>[^<]*+(?:<(?!/(?i:\1)[\t\n\f\r />])[^<]*+)*+"
    r"|(/?)([a-zA-Z][^\s/<>]*))",
    re.DOTALL | re.ASCII,  # (case-insensitive only where needed: it is slower)
)
_FINDALL_MAX = 50_000  # more "<" than this: one token at a time, not a list of them all


def _names(names: str) -> frozenset[str]:
    return frozenset(names.split())


_VOID = _names(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta "
    "param source track wbr"
)
_ONCE = _names("html head body")  # a second start tag only adds attributes
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_CELLS = _names("td th")
_SECTIONS = _names("thead tbody tfoot")
_ROWS = _CELLS | {"tr"}
_RUBY = _names("rb rt rp")
# "has an element in (button) scope": the search for a <p> to close stops here.
_SCOPE = _names(
    "applet button caption html marquee object table td th template "
    "annotation-xml desc foreignobject mi mn mo ms mtext"
)
# Start tags that close an open <p> in scope, and whatever is open inside it.
_CLOSES_P = _HEADINGS | _names(
    "address article aside blockquote center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form header hgroup li listing main menu nav ol p pre "
    "search section summary table ul"
)
# Start tags that close the innermost open element of the first set, and what
# is open inside it, unless an element of the second set (or, for lists, of
# _SCOPE) is open inside that one: implied ends.
_TABLE = frozenset({"table"})
_CLOSES: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "li": (frozenset({"li"}), _names("ol ul menu"), True),
    **dict.fromkeys(("dd", "dt"), (_names("dd dt"), frozenset({"dl"}), True)),
    **dict.fromkeys(_CELLS, (_CELLS, _TABLE, False)),
    "tr": (frozenset({"tr"}), _TABLE, False),
    **dict.fromkeys(_SECTIONS, (_SECTIONS, _TABLE, False)),
}
# Start tags that close the current node if it is one of these.
_TOP: dict[str, frozenset[str]] = {
    **dict.fromkeys(_HEADINGS, _HEADINGS),
    **dict.fromkeys(("rb", "rtc"), _RUBY | {"rtc"}),
    **dict.fromkeys(("rt", "rp"), _RUBY),
    "option": frozenset({"option"}),
    "optgroup": _names("option optgroup"),
    "a": frozenset({"a"}),
    "button": frozenset({"button"}),
    "nobr": frozenset({"nobr"}),
}
# In <svg> and <math> content, "<path/>" closes itself; these elements hold
# HTML again, and these HTML start tags end the foreign content.
_FOREIGN = _names("svg math")
_INTEGRATION = _names("foreignobject desc annotation-xml mi mo mn ms mtext")
_BREAKOUT = _HEADINGS | _names(
    "b big blockquote body br center code dd div dl dt em embed font head hr i img li "
    "listing menu meta nobr ol p pre ruby s small span strike strong sub sup table tt u "
    "ul var"
)
# What a start tag needs beyond a push, as bits: close an open <p> first, be void
# (no push), close the current node by _TOP first, anything else (``start``).
_P, _NO_PUSH, _TOP_RULE, _SLOW = 1, 2, 4, 8
_MORE = _ONCE | _SCOPE | _ROWS | _FOREIGN | _INTEGRATION | frozenset(_CLOSES)
_KIND = {
    name: _P * (name in _CLOSES_P)
    | _NO_PUSH * (name in _VOID)
    | _TOP_RULE * (name in _TOP)
    | _SLOW * (name in _MORE)
    for name in _CLOSES_P | _VOID | frozenset(_TOP) | _MORE
}


@dataclass(frozen=True, slots=True)
class Shape:
    """How deep the page's elements nest and how many there are (as far as scanned)."""

    depth: int
    elements: int
    tags: int  # tokens read: start and end tags, comments


def measure(
    html: str,
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
    max_tags: int = MAX_TAGS,
) -> Shape:
    """Nesting depth, elements and tags of ``html``; the scan stops past any maximum."""
    names: list[str] = []  # the stack of open elements
    where: dict[str, list[int]] = {}  # name -> its positions in the stack, innermost last
    # Per stack position, after a sentinel: inside <svg> or <math>? The position
    # of the innermost _SCOPE element at or below it?
    foreign, scope = [False], [-1]
    depth = elements = tags = 0

    def last(name: str) -> int:
        positions = where.get(name)
        return positions[-1] if positions else -1

    def innermost(group: frozenset[str]) -> int:
        best = -1
        for name in group:
            if (positions := where.get(name)) and positions[-1] > best:
                best = positions[-1]
        return best

    def pop_to(size: int) -> None:
        while len(names) > size:
            where[names.pop()].pop()
            foreign.pop()
            scope.pop()

    def push(name: str) -> int:
        where.setdefault(name, []).append(len(names))
        scope.append(len(names) if name in _SCOPE else scope[-1])
        names.append(name)
        foreign.append(name in _FOREIGN or (foreign[-1] and name not in _INTEGRATION))
        return len(names)

    def start(name: str) -> int:
        """A start tag that needs more than a push: the depth its element is at."""
        if foreign[-1]:
            if name in _BREAKOUT:
                while foreign[-1]:
                    pop_to(max(last("svg"), last("math")))
            elif name not in _FOREIGN and name not in _INTEGRATION:
                return len(names) + 1  # a foreign element: counted, never held open
        if name in _VOID:
            return len(names) + 1
        if name in _ONCE and last(name) >= 0:
            return 0
        if name in _CLOSES_P and (at := last("p")) > scope[-1]:
            pop_to(at)
        if rule := _CLOSES.get(name):
            targets, fences, scoped = rule
            at = innermost(targets)
            if at > max(innermost(fences), scope[-1] if scoped else -1):
                pop_to(at)
        elif top := _TOP.get(name):
            while names and names[-1] in top:
                pop_to(len(names) - 1)
        if name in _ROWS and (table := last("table")) >= 0:
            if innermost(_SECTIONS) < table:
                push("tbody")  # the elements a table row or cell implies
            if name != "tr" and last("tr") < table:
                push("tr")
        return push(name)

    tokens: Iterable[tuple[str, ...]] = (
        _TOKENS.findall(html)
        if html.count("<") <= _FINDALL_MAX
        else (match.groups("") for match in _TOKENS.finditer(html))
    )
    # The loop every page runs, so its common cases are inline; ``tags`` is read after it.
    for tags, (raw, slash, tag) in enumerate(islice(tokens, max_tags + 1), 1):  # noqa: B007
        if slash:
            name = tag.lower()
            if names and names[-1] == name:
                names.pop()
                where[name].pop()
                foreign.pop()
                scope.pop()
            elif (at := last(name)) >= 0:
                pop_to(at)
            continue
        if tag:
            name = tag.lower()
            kind = _KIND.get(name, 0)
            if kind & _SLOW or foreign[-1]:
                reached = start(name)
            elif kind & _NO_PUSH:
                reached = len(names) + 1
            else:
                if kind & _P and (positions := where.get("p")) and positions[-1] > scope[-1]:
                    pop_to(positions[-1])
                if kind & _TOP_RULE:
                    top = _TOP[name]
                    while names and names[-1] in top:
                        pop_to(len(names) - 1)
                if (positions := where.get(name)) is None:
                    where[name] = [len(names)]
                else:
                    positions.append(len(names))
                scope.append(scope[-1])
                names.append(name)
                foreign.append(False)
                reached = len(names)
        elif raw:
            reached = len(names) + 1
        else:
            continue  # a comment
        elements += 1
        if reached > depth:
            depth = reached
            if depth > max_depth:
                break
        if elements > max_elements:
            break
    return Shape(depth, elements, tags)


def check_bounds(html: str) -> None:
    """Raise PageTooComplexError when ``html`` nests too deep or has too many elements."""
    if html.count("<") > MAX_TAGS:  # every tag starts with one: a count in C, ~10 ms per 20 MB
        raise PageTooComplexError(f"page too complex: over {MAX_TAGS:,} tags")
    shape = measure(html)
    if shape.depth > MAX_DEPTH:
        raise PageTooComplexError(f"page too complex: elements nested over {MAX_DEPTH:,} deep")
    if shape.elements > MAX_ELEMENTS:
        raise PageTooComplexError(f"page too complex: over {MAX_ELEMENTS:,} elements")
    if shape.tags > MAX_TAGS:
        raise PageTooComplexError(f"page too complex: over {MAX_TAGS:,} tags")
