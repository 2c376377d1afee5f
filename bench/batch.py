"""A large ``archiver add --from-file`` batch over six local hosts: all archived, flat memory.

Serves N distinct small articles from 6 loopback hosts (127.0.0.1-6, robots.txt
allowing everything), runs ``archiver add --json --from-file`` on all of them in
a fresh process with a fresh archive, samples that process's resident memory
every second, and prints the outcomes, the rate and the memory over the run.
Beside it, the same URLs fetched and extracted by plain httpx + trafilatura
(the same concurrency, no store) give the reference rate.

    .venv/bin/python bench/batch.py [--urls 20000] [--plain-sample 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.batchsites import batch_sites  # noqa: E402

HOSTS = 6


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_archiver(urls: list[str], home: Path) -> tuple[Counter[str], float, list[float]]:
    listing = home.parent / "urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    env.update({"ARCHIVER_HOME": str(home), "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1",
                "ARCHIVER_FETCH__PER_HOST_DELAY": "0"})  # fmt: skip
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver", "add", "--json", "--from-file", str(listing)],
        env=env, cwd=home.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    samples: list[float] = []
    outcomes: Counter[str] = Counter()
    assert proc.stdout is not None
    last = 0.0
    for line in proc.stdout:  # one line per URL as it is done
        outcomes[json.loads(line)["outcome"]] += 1
        now = time.monotonic()
        if now - last >= 1.0 and (rss := rss_mib(proc.pid)) is not None:
            samples.append(rss)
            last = now
    proc.wait()
    return outcomes, time.monotonic() - started, samples


async def run_plain(urls: list[str], concurrency: int) -> float:
    from concurrent.futures import ProcessPoolExecutor

    import httpx
    import trafilatura

    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()
    with ProcessPoolExecutor(2) as pool:
        async with httpx.AsyncClient() as client:

            async def one(url: str) -> None:
                async with gate:
                    body = (await client.get(url)).text
                await loop.run_in_executor(pool, trafilatura.extract, body)

            await asyncio.gather(*(one(u) for u in urls))
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=20_000)
    parser.add_argument("--plain-sample", type=int, default=600)
    args = parser.parse_args()
    per_host = args.urls // HOSTS
    with batch_sites(HOSTS, per_host) as (sites, urls), tempfile.TemporaryDirectory() as tmp:
        outcomes, elapsed, rss = run_archiver(urls, Path(tmp) / "home")
        plain = asyncio.run(run_plain(urls[: args.plain_sample], 8))
        robots = [len(s.hits_for("/robots.txt")) for s in sites]
    n = len(urls)
    print(f"archiver add --from-file: {n:,} URLs over {HOSTS} hosts in {elapsed:.0f} s "
          f"({n / elapsed:.1f} pages/s)")  # fmt: skip
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in outcomes.most_common()))
    print(f"robots.txt fetches per host: {robots}")
    if rss:
        k = max(1, len(rss) // 10)
        first, middle = statistics.median(rss[:k]), statistics.median(rss[len(rss) // 2 :][:k])
        print(f"resident memory (MiB), medians: first 10% of the run {first:.0f}, middle "
              f"{middle:.0f}, last 10% {statistics.median(rss[-k:]):.0f}; peak {max(rss):.0f} "
              f"({len(rss)} samples)")  # fmt: skip
    sample = min(args.plain_sample, n)
    ratio = (n / elapsed) / (sample / plain)
    print(f"plain httpx + trafilatura (2 processes, no store), first {sample} URLs: "
          f"{sample / plain:.1f} pages/s; archiver / plain: {ratio:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
