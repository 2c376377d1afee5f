"""Hostile servers, measured once: peak memory against bombs, time to abort drips and silence.

Starts the fault-injection servers of ``tests/reliability`` on 127.0.0.x (loopback
only) and prints two tables:

* decompression bombs (gzip, deflate, br, ``gzip, gzip``; 1 GiB inflated each),
  each fetched in a fresh process with the default 20 MiB cap: the peak
  resident set (VmHWM) before and after, and how long the refusal took;
* a drip-fed body, drip-fed headers, a server that never answers, an endless
  chunked body and a 5 GB Content-Length, fetched side by side (one host each)
  with the given total deadline: the time each took to abort.

    .venv/bin/python bench/hostile.py [--deadline SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from archiver.config import FetchSettings
from archiver.errors import FetchError
from archiver.fetch import Fetcher

REPO = Path(__file__).resolve().parents[1]
MiB = 1 << 20


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def bombs() -> None:
    from tests.reliability.bombs import BOMBS, INFLATED
    from tests.reliability.faultserver import FaultServer, respond

    rows = []
    with FaultServer("127.0.0.1") as server:
        server.route("/warm", respond("<p>warm-up</p>"))
        for n, (encoding, make) in enumerate(BOMBS.items()):
            body = make()
            server.route(f"/bomb{n}", respond(body, headers={"Content-Encoding": encoding}))
            run = subprocess.run(
                [sys.executable, "-m", "tests.reliability.measure",
                 server.url(f"/bomb{n}"), server.url("/warm")],
                cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
            )  # fmt: skip
            got: dict[str, Any] = json.loads(run.stdout)
            outcome = (got["error"] or f"{got['body_size']} bytes").split(":")[0]
            rows.append([
                encoding, f"{len(body) / 1024:,.0f} KiB", f"{INFLATED // MiB} MiB", outcome,
                f"{got['elapsed']:.2f} s", f"{got['baseline_kib'] / 1024:.1f} MiB",
                f"{got['peak_kib'] / 1024:.1f} MiB", f"{got['growth_kib'] / 1024:.1f} MiB",
            ])  # fmt: skip
    cap = FetchSettings().max_body_bytes // MiB
    print(f"Decompression bombs (cap {cap} MiB, one fresh process each)\n")
    headers = ["Content-Encoding", "on the wire", "inflates to", "outcome", "time",
               "RSS before", "peak RSS", "growth"]  # fmt: skip
    print(table(headers, rows))


async def timeouts(deadline: float) -> None:
    from tests.reliability.faultserver import (
        FaultServer,
        drip,
        drip_bytes,
        endless_chunked,
        head,
        silent,
    )

    loris = head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
    huge = head(200, {"Content-Type": "text/html", "Content-Length": "5000000000"})
    cases = {
        "drip-fed body (1 B / 0.5 s)": drip(loris, every=0.5),
        "drip-fed headers (1 B / 0.5 s)": drip_bytes(loris, every=0.5),
        "accepts, never answers": silent(),
        "endless chunked body": endless_chunked(b"x" * 65536),
        "Content-Length: 5000000000": drip(huge, every=0.5),
    }
    settings = FetchSettings(
        allow_private_networks=True, per_host_delay=0, respect_robots=False, max_retries=0,
        total_timeout=deadline,
    )  # fmt: skip
    with contextlib.ExitStack() as stack:
        servers = {}
        for n, (case, behaviour) in enumerate(cases.items()):
            servers[case] = stack.enter_context(FaultServer(f"127.0.0.{n + 1}"))
            servers[case].route("/", behaviour)
        async with Fetcher(settings) as fetcher:

            async def timed(case: str) -> list[str]:
                started = time.monotonic()
                try:
                    await fetcher.fetch(servers[case].url("/"))
                    outcome = "fetched (!)"
                except FetchError as exc:
                    outcome = type(exc).__name__
                elapsed = time.monotonic() - started
                sent = servers[case].sent("/")
                return [case, outcome, f"{elapsed:.2f} s", f"{sent / MiB:.1f} MiB" if sent else ""]

            rows = await asyncio.gather(*(timed(case) for case in cases))
    print(f"\nTime to abort (total deadline {deadline:g} s; all at once, one host each)\n")
    print(table(["server", "outcome", "aborted after", "server sent"], list(rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deadline", type=float, default=2.0, help="fetch.total_timeout")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))  # the fault servers live with the tests
    bombs()
    asyncio.run(timeouts(args.deadline))


if __name__ == "__main__":
    main()
