"""Syndication clusters: what they cost at ingest, and how lookups scale with the archive.

The same articles are recorded through the real Store into two fresh SQLite
files (or PostgreSQL schemas with ``--db``), one with ``[clusters]`` off, one
with it on (the default settings: MinHash of 128 permutations over 5-word
shingles, LSH bands for threshold 0.8). Texts are ~600 words drawn from the
seed stories' vocabulary, so they share names and phrases but not passages;
every 20th article is a wire copy of an earlier one at another site (one
sentence edited), so the lookups do find clusters. Printed side by side, at
each size (1k and 10k articles by default): the ingest time per article (the
whole ``Store.record``: body, article, capture, version, and with clusters
the signature and its band rows), the signature's CPU time alone, and the
lookups: ``near_duplicates`` of one article (``show --json``, the article
page) and ``clusters`` of the 50 newest (``list --clusters``). Figures only,
nothing asserted.

    .venv/bin/python bench/clusters.py [--sizes 1000,10000] [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from archiver.store import CaptureIn, Store, VersionIn  # noqa: E402
from archiver.version.shingles import NearParams, signature  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WORDS_PER_ARTICLE = 600
COPY_EVERY = 20
LOOKUPS = 100


def vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        words += re.findall(r"[A-Za-z][A-Za-z'’-]*", path.read_text(encoding="utf-8"))
    return words or ["archive", "news", "story"]


def texts(count: int, rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """(url, site, text) of ``count`` articles; every COPY_EVERY-th a wire copy."""
    vocab = vocabulary()
    made: list[str] = []
    for n in range(count):
        if n % COPY_EVERY == COPY_EVERY - 1 and made:
            words = rng.choice(made).split(" ")
            words[rng.randrange(len(words))] = "reportedly"
            body = " ".join(words)
            yield f"https://wire.example/{n}", "wire.example", body
        else:
            words = [rng.choice(vocab) for _ in range(WORDS_PER_ARTICLE)]
            body = " ".join(words)
            made.append(body)
            site = f"site{n % 7}.example"
            yield f"https://{site}/story/{n}", site, body


@contextmanager
def database(base: str | None) -> Iterator[str]:
    if base is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def record(store: Store, n: int, url: str, site: str, body: str) -> int:
    digest = hashlib.sha256(body.encode()).hexdigest()
    raw = f"<html><body><article>{body}</article></body></html>".encode()
    at = T0 + timedelta(seconds=n)
    return store.record(
        CaptureIn(requested_url=url, fetched_at=at, status=200, final_url=url,
                  content_type="text/html", body_hash=hashlib.sha256(raw).hexdigest()),
        raw,
        urls=(url,),
        canonical_url=url,
        site=site,
        content=VersionIn(title=f"Story {n}", text=body, text_hash=digest, authors=(),
                          published=None, modified=None, site_name=None, language="en",
                          description=None),
    ).article_id  # fmt: skip


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def run(sizes: list[int], base: str | None) -> None:
    """Both stores get each article in turn (off, then on), so both see the same load."""
    rows: dict[str, dict[int, str]] = {}
    articles = list(texts(max(sizes), random.Random(13)))
    with (
        database(base) as off_url,
        database(base) as on_url,
        Store(off_url, clusters=NearParams(enabled=False)) as off,
        Store(on_url) as on,
    ):
        ids: list[int] = []
        done = 0
        for size in sizes:
            spent = {"off": 0.0, "on": 0.0}
            for n in range(done, size):
                for label, store in (("off", off), ("on", on)):
                    started = time.perf_counter()
                    article_id = record(store, n, *articles[n])
                    spent[label] += time.perf_counter() - started
                ids.append(article_id)
            for label in ("off", "on"):
                per = spent[label] / (size - done)
                rows.setdefault(f"ingest ms/article ({label})", {})[size] = ms(per)
            done = size
            sample = random.Random(size).sample(ids, min(LOOKUPS, len(ids)))
            started = time.perf_counter()
            found = sum(len(on.near_duplicates(i)) for i in sample)
            look = (time.perf_counter() - started) / len(sample)
            rows.setdefault("near_duplicates ms", {})[size] = ms(look)
            rows.setdefault("  near duplicates found", {})[size] = f"{found:8d}"
            started = time.perf_counter()
            groups = on.clusters(ids[-50:])
            rows.setdefault("clusters(50 newest) ms", {})[size] = ms(time.perf_counter() - started)
            rows.setdefault("  clusters found", {})[size] = f"{len(groups):8d}"
    params = NearParams()
    sample = [a[2] for a in texts(200, random.Random(5))]
    signature(sample[0], params)  # imports and permutations, once
    cpu = []
    for body in sample:
        started = time.perf_counter()
        signature(body, params)
        cpu.append(time.perf_counter() - started)
    b, r = params.bands
    kind = "sqlite" if base is None else "postgresql"
    print(f"clusters bench: {kind}, {WORDS_PER_ARTICLE} words/article, "
          f"bands {b}x{r}, threshold {params.threshold}")  # fmt: skip
    print(f"{'':32}" + "".join(f"{size:>10}" for size in sizes))
    for name, values in rows.items():
        print(f"{name:32}" + "".join(f"{values.get(size, ''):>10}" for size in sizes))
    print(f"{'signature CPU ms/article':32}{ms(statistics.median(cpu)):>10} (median, any size)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="archive sizes, comma-separated")
    parser.add_argument("--db", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    run(sorted(int(s) for s in args.sizes.split(",")), args.db)


if __name__ == "__main__":
    main()
