"""Extraction quality and speed: archiver against plain trafilatura on two reference sets.

Sets: the article-extraction-benchmark (181 news pages, hand-made truth) and
Mozilla Readability's test pages (130 pages; truth is the visible text of
Readability.js's expected.html, titles from expected-metadata.json). Per set,
archiver's extractor and plain ``trafilatura.extract`` run page by page
interleaved (this machine is noisy; who goes first alternates) and are scored
with the benchmark's own metric: \\w+ tokens, 4-token shingles as multisets,
per-page precision and recall, macro means, F1 from the two means; plus pages/s,
per-page median ms, titles where the truth has them, and the pages where
archiver keeps fewer than 90% of plain trafilatura's \\w+ tokens.

    .venv/bin/python bench/extraction.py [--set article|readability|both] [--limit N]
        [--data DIR] [--readability-data DIR] [--json PATH] [--quiet-list]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import trafilatura
from lxml import html as lxml_html  # type: ignore[import-untyped]
from trafilatura.metadata import extract_metadata

from archiver.errors import ExtractError
from archiver.extract import extract_page

EVAL = Path(__file__).resolve().parents[2] / "shared/eval"
DATA = EVAL / "article-extraction-benchmark"
READABILITY = EVAL / "readability-test-pages"
TOKEN = re.compile(r"\w+")
KEEP_RATIO = 0.9  # list pages where archiver keeps fewer tokens than this share of plain's
MAX_TITLE_MISMATCHES = 15
NAMES = ("archiver", "trafilatura.extract")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_scores(truth: str, pred: str) -> tuple[float | None, float | None]:
    """Per-page (precision, recall); None where the benchmark leaves the page out."""
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    if fp == fn == 0:
        return (1.0 if tp else None), (1.0 if tp else None)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def macro(scores: list[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    """(precision, recall, F1): macro means over the pages that count, F1 from the means."""
    ps = [s[0] for s in scores if s[0] is not None]
    rs = [s[1] for s in scores if s[1] is not None]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def norm_title(title: str | None) -> str:
    return " ".join((title or "").split()).casefold()


_BLOCKS = frozenset(
    "address article aside blockquote br caption dd details dialog div dl dt fieldset"  # noqa: SIM905
    " figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre"
    " section summary table tbody td tfoot th thead tr ul".split()
)


def visible_text(html: str) -> str:
    """The visible text of an HTML fragment, one line per block, scripts and styles dropped."""
    try:
        root = lxml_html.fromstring(html)
    except Exception:  # lxml's ParserError for an empty document
        return ""
    for el in list(root.iter("script", "style", "noscript", "template")):
        if el is not root:
            el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    html: bytes
    truth: str
    title: str | None  # truth title, where the set has one


def article_pages(data: Path, limit: int) -> Iterator[Page]:
    truth = json.loads((data / "ground-truth.json").read_text())
    for key in sorted(truth)[: limit or None]:
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        yield Page(key, truth[key]["url"], html, truth[key]["articleBody"], truth[key].get("title"))


def readability_pages(data: Path, limit: int) -> Iterator[Page]:
    folders = sorted(d for d in data.iterdir() if (d / "source.html").is_file())
    for folder in folders[: limit or None]:
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        expected = (folder / "expected.html").read_bytes().decode("utf-8", errors="replace")
        url = meta.get("url") or f"https://example.org/{folder.name}/"
        html = (folder / "source.html").read_bytes()
        yield Page(folder.name, url, html, visible_text(expected), meta.get("title") or None)


def for_trafilatura(html: bytes) -> str | bytes:
    """UTF-8 text when the bytes are UTF-8; else the bytes, for trafilatura's own decoding."""
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return html


def ours(html: bytes, url: str) -> tuple[str, str | None]:
    try:
        result = extract_page(html, url)
    except ExtractError:
        return "", None
    return result.text, result.title


def plain(html: bytes, url: str) -> str:
    return trafilatura.extract(for_trafilatura(html), url=url) or ""


def plain_title(html: bytes, url: str) -> str | None:
    """plain trafilatura's title (its metadata extraction; not timed)."""
    tree = trafilatura.load_html(for_trafilatura(html))
    if tree is None:
        return None
    title = extract_metadata(tree, default_url=url).title
    return str(title) if title else None


@dataclass
class Run:
    tokens: int
    precision: float | None
    recall: float | None
    ms: float
    title: str | None


def run_page(page: Page, plain_first: bool) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for name in reversed(NAMES) if plain_first else NAMES:
        start = time.perf_counter()
        if name == "archiver":
            text, title = ours(page.html, page.url)
        else:
            text, title = plain(page.html, page.url), None
        ms = (time.perf_counter() - start) * 1000
        if name != "archiver" and page.title is not None:
            title = plain_title(page.html, page.url)
        precision, recall = page_scores(page.truth, text)
        runs[name] = Run(len(TOKEN.findall(text)), precision, recall, ms, title)
    return runs


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


Runs = list[dict[str, Run]]


def report(label: str, pages: list[Page], runs: Runs, quiet: bool) -> dict[str, Any]:
    n = len(pages)
    print(f"\n== {label}: {n} pages, trafilatura {trafilatura.__version__} ==")
    print(f"{'extractor':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'pages/s':>9}{'median':>10}")
    summary: dict[str, Any] = {}
    for name in NAMES:
        p, r, f1 = macro([(x[name].precision, x[name].recall) for x in runs])
        ms = [x[name].ms for x in runs]
        speed = n / (sum(ms) / 1000) if sum(ms) else 0.0
        summary[name] = {"precision": p, "recall": r, "f1": f1, "pages_per_s": speed}
        median = statistics.median(ms) if ms else 0.0
        summary[name]["median_ms"] = median
        print(f"{name:<22}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{speed:>9.1f}{median:>7.1f} ms")
    a, b = summary["archiver"], summary["trafilatura.extract"]
    speed_ratio = a["pages_per_s"] / b["pages_per_s"] if b["pages_per_s"] else 0.0
    ms_ratio = a["median_ms"] / b["median_ms"] if b["median_ms"] else 0.0
    print(
        f"archiver / plain: speed {speed_ratio:.2f}x, per-page median ms {ms_ratio:.2f}x;"
        f"  F1 difference {a['f1'] - b['f1']:+.3f}"
    )

    titled = [(pg, x) for pg, x in zip(pages, runs, strict=True) if pg.title is not None]
    if titled:
        hits = {
            name: sum(norm_title(x[name].title) == norm_title(pg.title) for pg, x in titled)
            for name in NAMES
        }
        print(
            f"titles equal to truth (whitespace, case folded): archiver"
            f" {hits['archiver']}/{len(titled)}, plain {hits['trafilatura.extract']}/{len(titled)}"
        )
        misses = [
            (pg, x) for pg, x in titled if norm_title(x["archiver"].title) != norm_title(pg.title)
        ]
        shown = misses[:MAX_TITLE_MISMATCHES]
        print(f"archiver title mismatches ({len(shown)} of {len(misses)} shown):")
        for pg, x in shown:
            print(f"  {pg.id}: archiver {x['archiver'].title!r} | truth {pg.title!r}")
        summary["titles"] = {"pages": len(titled), **hits}
    else:
        print("titles: this set's truth has no titles")

    short = []
    for pg, x in zip(pages, runs, strict=True):
        kept, base = x["archiver"].tokens, x["trafilatura.extract"].tokens
        if base and kept < KEEP_RATIO * base:
            short.append((kept / base, pg, x))
    short.sort(key=lambda s: (s[0], s[1].id))
    print(
        f"pages where archiver keeps < {KEEP_RATIO:.0%} of plain's \\w+ tokens: {len(short)} of {n}"
    )
    if short and not quiet:
        hashed = label.startswith("article")  # ids are hashes: show their start and the URL
        idents = [f"{pg.id[:12]} {pg.url[:60]}" if hashed else pg.id for _, pg, _ in short]
        width = max(len(i) for i in idents) + 2
        print(
            f"  {'page':<{width}}{'archiver':>9}{'plain':>8}{'ratio':>7}{'R arch':>8}{'R plain':>8}"
        )
        for ident, (ratio, _, x) in zip(idents, short, strict=True):
            mine, theirs = x["archiver"], x["trafilatura.extract"]
            print(
                f"  {ident:<{width}}{mine.tokens:>9}{theirs.tokens:>8}{ratio:>7.2f}"
                f"{fmt(mine.recall):>8}{fmt(theirs.recall):>8}"
            )
    summary["short_pages"] = [pg.id for _, pg, _ in short]
    return {
        "summary": summary,
        "pages": [
            {"id": pg.id, "url": pg.url, "title": pg.title, **{k: asdict(v) for k, v in x.items()}}
            for pg, x in zip(pages, runs, strict=True)
        ],
    }


def run_set(pages: Iterator[Page]) -> tuple[list[Page], Runs]:
    """Every page through both extractors; the first page once more beforehand, untimed."""
    done: list[Page] = []
    runs: Runs = []
    for i, page in enumerate(pages):
        if i == 0:
            run_page(page, plain_first=False)  # warm-up: first calls fill lazy caches
        runs.append(run_page(page, plain_first=i % 2 == 1))
        done.append(Page(page.id, page.url, b"", page.truth, page.title))  # drop the bytes
    return done, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("article", "readability", "both"), default="both")
    parser.add_argument("--data", type=Path, default=DATA, help="article-extraction-benchmark")
    parser.add_argument("--readability-data", type=Path, default=READABILITY)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument("--json", type=Path, help="also write per-page numbers to this file")
    parser.add_argument("--quiet-list", action="store_true", help="counts only, no page lists")
    args = parser.parse_args()
    sets: dict[str, Callable[[], Iterator[Page]]] = {
        "article-extraction-benchmark": lambda: article_pages(args.data, args.limit),
        "readability-test-pages": lambda: readability_pages(args.readability_data, args.limit),
    }
    if args.set != "both":
        sets = {k: v for k, v in sets.items() if k.startswith(args.set)}
    dump: dict[str, Any] = {"trafilatura": trafilatura.__version__, "sets": {}}
    for label, load in sets.items():
        pages, runs = run_set(load())
        dump["sets"][label] = report(label, pages, runs, args.quiet_list)
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1, ensure_ascii=False) + "\n")
        print(f"\nper-page numbers written to {args.json}")


if __name__ == "__main__":
    main()
