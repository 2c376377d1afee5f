"""Markup nested too deep or too large is refused before parsing, fast, with a reason."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.archive import SKIPPED
from archiver.errors import ExtractError, PageTooComplexError
from archiver.extract import ExtractorPool, extract_page
from archiver.extract.bounds import MAX_DEPTH, MAX_ELEMENTS, MAX_TAGS, measure
from archiver.extract.decode import decode_html
from archiver.extract.links import parse

URL = "https://news.example.com/story"
STORY = " ".join(
    [
        "The council approved the new library budget after a long debate on Monday night.",
        "Residents who spoke at the meeting asked for longer opening hours at weekends.",
        "The new hours start in September, when the renovated reading room reopens.",
    ]
)
LEAD = f"<p>{STORY}</p>"
EVAL = Path("/work/shared/eval")
DEEP = f"page too complex: elements nested over {MAX_DEPTH:,} deep"
LARGE = f"page too complex: over {MAX_ELEMENTS:,} elements"
TAGS = f"page too complex: over {MAX_TAGS:,} tags"
# CPU seconds a refusal may take (timed in CPU time: the tests may share the machine)
FAST = 1.0  # ~10 ms for deep nesting
SCAN = 5.0  # a 20 MB body read up to the limits: ~0.5 s on an idle core


def page(body: str) -> bytes:
    return f"<html><head><title>Budget</title></head><body>{body}</body></html>".encode()


def nested(n: int, tag: str = "div", inner: str = "x", closed: bool = True) -> str:
    return f"<{tag}>" * n + inner + (f"</{tag}>" * n if closed else "")


def refused(body: bytes, reason: str) -> float:
    """CPU seconds extract_page took to refuse ``body`` for ``reason``."""
    started = time.process_time()
    with pytest.raises(PageTooComplexError, match=reason):
        extract_page(body, URL)
    return time.process_time() - started


# -- deep nesting -------------------------------------------------------------------


@pytest.mark.parametrize("n", [20_000, 100_000])
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "unclosed"])
def test_deep_nesting_is_refused_fast(n: int, closed: bool) -> None:
    # Before the guard: 11 s for 20,000 levels, 115 s for 100,000.
    body = page(f"<article>{LEAD}{nested(n, inner='<p>deep</p>', closed=closed)}</article>")
    assert refused(body, DEEP) < FAST


@pytest.mark.parametrize(
    ("open_", "close"),
    [("<span>", "</span>"), ("<section>", "</section>"), ("<b>", "</b>"),
     ("<x-wrap>", "</x-wrap>"), ("<table><tr><td>", "</td></tr></table>")],
)  # fmt: skip
def test_any_nesting_counts_towards_depth(open_: str, close: str) -> None:
    n = MAX_DEPTH // open_.count("<") + 10
    assert refused(page(LEAD + open_ * n + "x" + close * n), DEEP) < FAST


def test_a_page_just_under_the_depth_limit_still_extracts_in_reasonable_time() -> None:
    deep = nested(MAX_DEPTH - 10, inner=f"<p>{STORY} Deep down.</p>")
    started = time.perf_counter()
    result = extract_page(page(f"<article>{LEAD}{deep}</article>"), URL)
    elapsed = time.perf_counter() - started
    assert STORY in result.text
    assert elapsed < 10.0  # ~0.3 s; 20,000 levels took 11 s


def test_the_refusal_is_a_skipped_extraction_error() -> None:
    assert issubclass(PageTooComplexError, ExtractError)
    assert issubclass(PageTooComplexError, SKIPPED)  # the pipeline records "skipped: <reason>"


def test_the_refusal_crosses_the_worker_pool_with_its_class() -> None:
    body = page(LEAD + nested(100_000, closed=False))
    with ExtractorPool(workers=1, timeout=30) as pool:
        started = time.perf_counter()
        with pytest.raises(PageTooComplexError, match=DEEP):
            asyncio.run(pool.extract(body, URL))
        assert time.perf_counter() - started < 5.0  # no 30 s timeout, no worker restart


# -- huge element counts --------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<table>" + "<tr><td>1</td></tr>" * 1_000_000 + "</table>",
        "<p>x</p>" * 1_000_000,
        "<img src=a.png>" * 1_000_000,
    ],
    ids=["million-rows", "million-paragraphs", "million-images"],
)
def test_a_million_elements_are_refused_fast(markup: str) -> None:
    # Over MAX_TAGS "<" in all: refused by the quick count before the model runs.
    assert refused(page(f"<article>{LEAD}{markup}</article>"), TAGS) < SCAN


def test_too_many_elements_under_the_tag_count_are_refused() -> None:
    markup = "<br>" * (MAX_ELEMENTS + 10)  # void elements: one "<" each, under MAX_TAGS
    assert refused(page(f"<article>{LEAD}{markup}</article>"), LARGE) < SCAN


@pytest.mark.parametrize("markup", ["</p>" * 5_000_000, "<!---->" * 2_800_000])
def test_millions_of_tags_without_elements_are_refused_fast(markup: str) -> None:
    assert refused(page(LEAD + markup), TAGS) < SCAN  # the scan itself is bounded


def test_counting_stops_at_the_limits() -> None:
    flat = measure("<br>" * (MAX_ELEMENTS + 10))
    assert (flat.depth, flat.elements) == (1, MAX_ELEMENTS + 1)
    assert measure("<div>" * (MAX_DEPTH + 10)).depth == MAX_DEPTH + 1
    assert measure("</div>" * (MAX_TAGS + 10)).tags == MAX_TAGS + 1


# -- the model: HTML's implied ends, raw text, comments, foreign content -------------


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<div><p>a</p><p>b</p></div>", 2),
        ("<div>" + "<p>unclosed" * 5000 + "</div>", 2),  # each <p> ends the one before
        ("<ul>" + "<li>a<p>b" * 5000 + "</ul>", 3),
        ("<table>" + "<tr><td>a<td>b" * 5000 + "</table>", 4),  # with the implied <tbody>
        ("<dl>" + "<dt>t<dd>d" * 5000 + "</dl>", 2),
        ("<select>" + "<option>o" * 5000 + "</select>", 2),
        ("<p>a<div>b</div>", 1),  # a block start tag ends the open <p>
        ("<div><span><b><i>x</div><div>y</div>", 4),  # an end tag closes what is inside
        ("<div></span></span></span><div>x</div></div>", 2),  # stray end tags: nothing
        ("<br><img><hr>" * 5000, 1),
        ("<html><body><html><body><div>x</div></body></html>", 3),
    ],
)
def test_depth_follows_the_tree_builder(html: str, depth: int) -> None:
    assert measure(html).depth == depth


def lexbor_depth(html: str) -> int:
    """Depth of the tree lexbor builds (<html> is 1), walked without recursion."""
    best, stack = 0, [(parse(html).root, 0)]
    while stack:
        node, depth = stack.pop()
        best = max(best, depth)
        child = node.child if node is not None else None
        while child is not None:
            if child.tag and not child.tag.startswith("-"):  # not text, comment, doctype
                stack.append((child, depth + 1))
            child = child.next
    return best


SLOPPY = {
    "unclosed-p-font": "<p><font face=Arial>text" * 3000,
    "unclosed-p-link": "<p><a href=x>link" * 3000,
    "unclosed-cells": "<table>" + "<tr><td><p><font>x<td><b>y" * 2000 + "</table>",
    "unclosed-items": "<ul>" + "<li><span>x" * 3000 + "</ul>",
    "unclosed-terms": "<dl>" + "<dt><b>x<dd><i>y" * 3000 + "</dl>",
    "unclosed-options": "<select>" + "<option>x" * 3000 + "</select>",
    "p-then-div": "<p><span>x<div>y</div>" * 3000,
    "nested-lists": "<ul><li>x" * 300,
    "nested-tables": "<table><tr><td>x" * 300,
    "unclosed-fonts": "<font size=2>x<br>" * 300,
    "unclosed-headings": "<h2><span>x<h3>y" * 300,
}


@pytest.mark.parametrize("name", SLOPPY)
def test_depth_agrees_with_lexbor_on_sloppy_markup(name: str) -> None:
    html = f"<html><body>{SLOPPY[name]}</body></html>"
    model, actual = measure(html, max_depth=10**6).depth, lexbor_depth(html)
    assert actual - 6 <= model <= actual + 6, (model, actual)


def test_comments_and_raw_text_hold_no_elements() -> None:
    hidden = "<div>" * 5000 + "</div>" * 2
    html = (
        f"<!-- {hidden} --><script>var s = '{hidden}';</script><style>/* {hidden} */</style>"
        f"<textarea>{hidden}</textarea><title>{hidden}</title><!-- unterminated {hidden}"
    )
    shape = measure(html)
    assert (shape.depth, shape.elements) == (1, 4)


def test_end_tags_inside_raw_text_close_nothing() -> None:
    layer = "<div><script>document.write('</div>')</script>"
    assert measure(layer * (MAX_DEPTH + 1)).depth == MAX_DEPTH + 1
    assert measure("<SCRIPT>x</div></Script ><div>y</div>").depth == 1


def test_self_closed_svg_elements_are_not_nesting() -> None:
    icon = "<svg viewBox='0 0 10 10'>" + "<path d='M0 0L10 10'/>" * 5000 + "</svg>"
    shape = measure(f"<div>{icon}<p>after</p></div>")
    assert (shape.depth, shape.elements) == (3, 5003)


def test_html_inside_foreign_content_counts() -> None:
    inside = "<svg><foreignObject>" + nested(MAX_DEPTH, closed=False)
    assert measure(inside).depth > MAX_DEPTH
    breakout = "<svg><g>" + nested(MAX_DEPTH, closed=False)  # <div> ends the <svg>
    assert measure(breakout).depth == MAX_DEPTH


# -- real pages ----------------------------------------------------------------------


def eval_pages() -> Iterator[tuple[str, bytes]]:
    benchmark = EVAL / "article-extraction-benchmark/html"
    for path in sorted(benchmark.glob("*.html.gz")):
        yield path.name[:12], gzip.decompress(path.read_bytes())
    for path in sorted((EVAL / "readability-test-pages").glob("*/source.html")):
        yield path.parent.name, path.read_bytes()


@pytest.mark.skipif(not EVAL.is_dir(), reason="evaluation pages not present")
def test_real_pages_are_far_below_the_limits() -> None:
    shapes = {name: measure(decode_html(body)) for name, body in eval_pages()}
    assert len(shapes) > 300
    # 311 pages: deepest 51, most elements 9,888 (a Wikipedia article)
    assert max(s.depth for s in shapes.values()) < MAX_DEPTH // 10
    assert max(s.elements for s in shapes.values()) < MAX_ELEMENTS // 20
