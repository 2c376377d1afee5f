"""Extraction quality and speed on the article-extraction benchmark (181 news pages).

Runs archiver's extractor and plain ``trafilatura.extract`` side by side in one
run, page by page interleaved (this machine is noisy), and prints the
benchmark's own metric: \\w+ tokens, 4-token shingles as multisets, per-page
precision and recall, macro means, F1 from the two means; plus pages/s.

    .venv/bin/python bench/extraction.py [--limit N] [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from archiver.errors import ExtractError
from archiver.extract import extract_page

DATA = Path(__file__).resolve().parents[2] / "shared/eval/article-extraction-benchmark"
TOKEN = re.compile(r"\w+")


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


def ours(html: bytes, url: str) -> str:
    try:
        return extract_page(html, url).text
    except ExtractError:
        return ""


def plain(html: bytes, url: str) -> str:
    return trafilatura.extract(html.decode("utf-8"), url=url) or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text())
    keys = sorted(truth)[: args.limit or None]
    extractors: dict[str, Callable[[bytes, str], str]] = {
        "archiver": ours,
        "trafilatura.extract": plain,
    }
    scores: dict[str, list[tuple[float | None, float | None]]] = {k: [] for k in extractors}
    seconds: dict[str, float] = dict.fromkeys(extractors, 0.0)
    for key in keys:
        html = gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes())
        item = truth[key]
        for name, fn in extractors.items():
            start = time.perf_counter()
            text = fn(html, item["url"])
            seconds[name] += time.perf_counter() - start
            scores[name].append(page_scores(item["articleBody"], text))

    print(f"article-extraction-benchmark: {len(keys)} pages, trafilatura {trafilatura.__version__}")
    print(f"{'extractor':<22}{'precision':>10}{'recall':>10}{'F1':>8}{'pages/s':>10}")
    results = {}
    for name in extractors:
        p = statistics.mean(s[0] for s in scores[name] if s[0] is not None)
        r = statistics.mean(s[1] for s in scores[name] if s[1] is not None)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        speed = len(keys) / seconds[name]
        results[name] = (p, r, f1, speed)
        print(f"{name:<22}{p:>10.3f}{r:>10.3f}{f1:>8.3f}{speed:>10.1f}")
    a, b = results["archiver"], results["trafilatura.extract"]
    print(f"speed ratio archiver / plain: {a[3] / b[3]:.2f}x;  F1 difference: {a[2] - b[2]:+.3f}")


if __name__ == "__main__":
    main()
