"""Raw-body storage of re-fetches: on their own against as deltas, side by side in one run.

The article-extraction benchmark's pages (../shared/eval/article-extraction-benchmark)
are archived through the real store (a fresh SQLite file), then each is fetched
again ``--refetches`` times with new chrome, as the soak site serves it (a promo
line and a "Most read" box whose headlines rotate and whose clock ticks:
bench/soaksite.py). The same captures go into two stores: one where every body
is compressed on its own (what archiver stored before deltas), one where a
re-fetch is stored as a delta against the article's previous body
(archiver.store.bodies). Printed: bytes stored per first fetch and per
re-fetch (median and mean), the body table's size, the store's CPU time per
re-fetch recorded (pack + write), and a check that every body reads back byte for
byte.

    .venv/bin/python bench/bodies.py [--refetches 6] [--limit 181]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import soaksite  # noqa: E402
from sqlalchemy import text  # noqa: E402

from archiver.store import CaptureIn, Store, VersionIn  # noqa: E402
from archiver.store import bodies as body_store  # noqa: E402
from archiver.store.engine import make_engine  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "article-extraction-benchmark"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@contextmanager
def no_deltas() -> Iterator[None]:
    """Store every body on its own, as before deltas (the base is still read, not used)."""
    pack = body_store.pack

    def alone(raw: bytes, expected_hash: str | None = None, base: Any = None) -> Any:
        return pack(raw, expected_hash)

    body_store.pack = alone  # type: ignore[assignment]
    try:
        yield
    finally:
        body_store.pack = pack  # type: ignore[assignment]


def _content(text_: str) -> VersionIn:
    digest = hashlib.sha256(text_.encode()).hexdigest()
    return VersionIn(
        title="t", text=text_, text_hash=digest, authors=(), published=None, modified=None,
        site_name=None, language=None, description=None,
    )  # fmt: skip


def _body_sizes(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT hash, length(data) FROM body")).all())
    finally:
        engine.dispose()


def run(pages: list[list[bytes]], db_url: str) -> dict[str, Any]:
    """Record every fetch of every page; bytes per first fetch and per re-fetch."""
    first: list[bytes] = []
    again: list[bytes] = []
    cpu = 0.0
    with Store(db_url) as store:
        for n, fetches in enumerate(pages):
            url = f"https://host{n % 8}.example/news/{n}"
            for k, raw in enumerate(fetches):
                capture = CaptureIn(
                    requested_url=url, final_url=url, status=200, content_type="text/html",
                    fetched_at=T0 + timedelta(minutes=n * 100 + k),
                )  # fmt: skip
                started = time.process_time()
                store.record(capture, raw, urls=(url,), canonical_url=url, site="x",
                             content=_content(f"article {n}"))  # fmt: skip
                if k:
                    cpu += time.process_time() - started
                (first if k == 0 else again).append(raw)
        sizes = _body_sizes(db_url)
        exact = all(store.body(hashlib.sha256(r).hexdigest()) == r for r in first + again)
    per_first = [sizes[hashlib.sha256(r).hexdigest()] for r in first]
    per_again = [sizes[hashlib.sha256(r).hexdigest()] for r in again]
    return {
        "raw_first": statistics.mean(len(r) for r in first),
        "first_median": statistics.median(per_first),
        "again_median": statistics.median(per_again),
        "again_mean": statistics.mean(per_again),
        "table": sum(sizes.values()),
        "raw_total": sum(len(r) for r in first + again),
        "cpu_ms": 1000 * cpu / max(1, len(again)),
        "exact": exact,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refetches", type=int, default=6)
    parser.add_argument("--limit", type=int, default=181)
    args = parser.parse_args()
    rng = random.Random(1)
    corpus = soaksite.Corpus.load(rng)
    chrome = random.Random(7)
    pages: list[list[bytes]] = []
    for bench in corpus.pages[: args.limit]:
        article = soaksite.Article(0, 1, "x", "/x", T0.timestamp(), bench)
        fetches = []
        for k in range(args.refetches + 1):
            promo, box = soaksite._chrome(chrome, corpus.headlines, T0.timestamp() + 37 * k)
            fetches.append(soaksite.render_bench(article, promo, box).encode())
        pages.append(fetches)
    with tempfile.TemporaryDirectory() as tmp:
        with no_deltas():
            alone = run(pages, f"sqlite:///{tmp}/alone.db")
        delta = run(pages, f"sqlite:///{tmp}/delta.db")
    print(f"{len(pages)} benchmark pages, {args.refetches} re-fetches each with new chrome "
          f"(raw page mean {alone['raw_first'] / 1024:.1f} KB)")  # fmt: skip
    print(f"{'':34}{'each body alone':>18}{'deltas':>14}{'ratio':>8}")
    rows = [
        ("stored per first fetch, median", "first_median", 1024, "KB"),
        ("stored per re-fetch, median", "again_median", 1024, "KB"),
        ("stored per re-fetch, mean", "again_mean", 1024, "KB"),
        ("body table", "table", 1024 * 1024, "MB"),
        ("store CPU per re-fetch recorded", "cpu_ms", 1, "ms"),
    ]
    for label, key, unit, name in rows:
        a, d = alone[key] / unit, delta[key] / unit
        print(f"{label:34}{a:>14.2f} {name:<3}{d:>10.2f} {name:<3}{d / a if a else 0:>8.3f}")
    share = delta["table"] / delta["raw_total"]
    print(f"body table / raw bytes fetched: {alone['table'] / alone['raw_total']:.1%} alone, "
          f"{share:.1%} with deltas")  # fmt: skip
    print(f"every body read back byte for byte: alone {alone['exact']}, deltas {delta['exact']}")


if __name__ == "__main__":
    main()
