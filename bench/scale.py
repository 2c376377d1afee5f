"""Scale-out benchmark: pages/s with 1, 2 and 4 ``archiver worker`` processes, and the
queue's overhead per job against the inline runner, on the same pages.

The site: ``--hosts`` loopback hosts (127.0.0.21, .22, ...), each with an RSS feed
listing ``--pages`` generated articles; every response waits ``--latency`` seconds
(200 ms) before it is sent, so fetching is I/O bound like a real remote site. Each host
is one feed source.

Throughput: for each worker count, a fresh PostgreSQL database, ``archiver migrate``,
the workers (``--concurrency`` jobs each) and one scheduler (``archiver run``) as real
processes; pages/s is the number of pages over the span from the first capture to the
last one (``capture.fetched_at``), which leaves process start-up out. The inline runner
(``archiver run``, ``daemon.queue = "inline"``) archives the same site the same way.

Overhead per job: ``--overhead-pages`` URLs of one host, one at a time, (a) with
``archiver add`` (inline, one host: the fetcher takes one request per host at a time)
and (b) as that many ``archive_url`` jobs deferred to one worker with concurrency 1.
The difference of the mean time per page between (b) and (a) is what the queue adds to
each job (fetching the job, its lock, recording its end), and since politeness is shared
through the database on the queue (``archiver.fetch.shared``), the per-host gate's two
small write transactions per request too (its turn, then its send). The per-host delay is
0 and robots.txt is off, so the gate never makes a worker wait: the throughput figures
still measure the workers, not the politeness.

    .venv/bin/python bench/scale.py                   # PostgreSQL at 127.0.0.1:5432
    .venv/bin/python bench/scale.py --hosts 16 --pages 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ARCHIVER = str(Path(sys.executable).parent / "archiver")
WORDS = [
    *[
        "minister",
        "council",
        "budget",
        "harbour",
        "railway",
        "election",
        "court",
        "storm",
        "vaccine",
        "museum",
    ],
    *[
        "festival",
        "treaty",
        "drought",
        "factory",
        "river",
        "senate",
        "strike",
        "market",
        "report",
        "village",
    ],
]


def article_html(host: int, n: int) -> str:
    rng = random.Random(host * 1000 + n)
    title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} story {host}-{n}"
    paras = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + f" ({host}.{n}.{i})</p>"
        for i in range(6)
    )
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paras}</article>"
            "<footer>About us</footer></body></html>")  # fmt: skip


class Site:
    """Loopback hosts 127.0.0.(21+i), each serving a feed and its articles, slowly."""

    def __init__(self, hosts: int, pages: int, latency: float) -> None:
        self.latency = latency
        self.pages = pages
        self.servers: list[ThreadingHTTPServer] = []
        for i in range(hosts):
            server = ThreadingHTTPServer((f"127.0.0.{21 + i}", 0), self._handler(i))
            server.daemon_threads = True
            self.servers.append(server)

    def base(self, host: int) -> str:
        addr, port = self.servers[host].server_address[:2]
        return f"http://{addr!s}:{port}"

    def urls(self, host: int) -> list[str]:
        return [f"{self.base(host)}/news/{n}" for n in range(self.pages)]

    def _handler(self, host: int) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                time.sleep(site.latency)
                if self.path == "/rss.xml":
                    items = "".join(f"<item><title>{u}</title><link>{u}</link></item>"
                                    for u in site.urls(host))  # fmt: skip
                    body = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>h</title>"
                            f"<link>{site.base(host)}/</link><description>d</description>"
                            f"{items}</channel></rss>").encode()  # fmt: skip
                    kind = "application/rss+xml"
                elif self.path.startswith("/news/"):
                    body, kind = article_html(host, int(self.path[6:])).encode(), "text/html"
                else:
                    body, kind = b"", "text/plain"
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> Site:
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@contextmanager
def database(admin_url: str) -> Iterator[str]:
    admin = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    name = f"archbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(
    url: str, home: Path, queue: str, sources: Path, extract_workers: int = 0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    env.update({
        "ARCHIVER_HOME": str(home), "ARCHIVER_DATABASE_URL": url,
        "ARCHIVER_DAEMON__QUEUE": queue, "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1",
        "ARCHIVER_FETCH__PER_HOST_DELAY": "0", "ARCHIVER_FETCH__RESPECT_ROBOTS": "false",
        "ARCHIVER_DAEMON__SOURCES_FILE": str(sources),
        "ARCHIVER_EXTRACT__WORKERS": str(extract_workers),
        "ARCHIVER_DAEMON__RECHECK_LADDER": '["1d"]', "ARCHIVER_DAEMON__WORKER_HEARTBEAT": "1",
    })  # fmt: skip
    return env


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return list(conn.execute(sql))  # type: ignore[arg-type]


def capture_span(url: str, skip: int) -> tuple[int, float]:
    """Pages archived, and seconds from the capture after the first ``skip`` (each
    process's first page waits for its extraction pool to start) to the last one."""
    sql = "SELECT fetched_at FROM capture WHERE article_id IS NOT NULL ORDER BY fetched_at"
    times = [r[0] for r in rows(url, sql)]
    if len(times) <= skip + 1:
        return len(times), 0.0
    return len(times) - skip, (times[-1] - times[skip]).total_seconds()


def wait_articles(url: str, want: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if rows(url, "SELECT count(*) FROM article")[0][0] >= want:
                return
        except psycopg.errors.UndefinedTable:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {want} articles")


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(60)


def run_site(
    admin: str, site: Site, hosts: int, workers: int, concurrency: int, tmp: Path
) -> dict[str, Any]:
    """Archive the whole site with ``workers`` workers (0: the inline runner)."""
    queue = "procrastinate" if workers else "inline"
    sources = tmp / f"sources-{workers}.toml"
    sources.write_text("".join(
        f'[[source]]\nname = "h{i}"\nkind = "feed"\nurl = "{site.base(i)}/rss.xml"\n'
        'every = "1h"\n\n'
        for i in range(hosts)
    ))  # fmt: skip
    with database(admin) as url:
        env = env_for(url, tmp / f"home-{workers}", queue, sources)
        subprocess.run([ARCHIVER, "migrate"], env=env, check=True, capture_output=True)
        log = (tmp / f"log-{workers}.txt").open("wb")
        procs = [subprocess.Popen([ARCHIVER, "worker", "--concurrency", str(concurrency)],
                                  env=env, stderr=log) for _ in range(workers)]  # fmt: skip
        procs.append(subprocess.Popen([ARCHIVER, "run"], env=env, stderr=log))
        try:
            wait_articles(url, hosts * site.pages, 600)
        finally:
            stop(procs)
        n, span = capture_span(url, max(1, workers))
    return {
        "workers": workers, "queue": queue, "load": round(os.getloadavg()[0], 1), "pages": n,
        "seconds": round(span, 2), "pages_per_s": round((n - 1) / span, 2) if span else None,
    }  # fmt: skip


def overhead(admin: str, site: Site, pages: int, tmp: Path) -> dict[str, Any]:
    """Mean seconds per page, one at a time: inline ``archiver add`` vs archive_url jobs."""
    urls = site.urls(0)[:pages]
    results: dict[str, Any] = {}
    with database(admin) as url:
        env = env_for(url, tmp / "home-add", "inline", tmp / "none.toml", extract_workers=1)
        subprocess.run([ARCHIVER, "add", *urls], env=env, check=True, capture_output=True)
        n, span = capture_span(url, 2)
        results["inline_s_per_page"] = round(span / (n - 1), 4)
    with database(admin) as url:
        env = env_for(url, tmp / "home-jobs", "procrastinate", tmp / "none.toml", extract_workers=1)
        subprocess.run([ARCHIVER, "migrate"], env=env, check=True, capture_output=True)
        asyncio.run(defer_all(env, urls))
        worker = subprocess.Popen([ARCHIVER, "worker", "--concurrency", "1"], env=env,
                                  stderr=(tmp / "log-overhead.txt").open("wb"))  # fmt: skip
        try:
            wait_articles(url, len(urls), 600)
        finally:
            stop([worker])
        n, span = capture_span(url, 2)
        results["queue_s_per_page"] = round(span / (n - 1), 4)
    results["overhead_ms_per_job"] = round(
        (results["queue_s_per_page"] - results["inline_s_per_page"]) * 1000, 1
    )
    return results


async def defer_all(env: dict[str, str], urls: list[str]) -> None:
    os.environ.update(env)
    from archiver.config import load_settings
    from archiver.queue.app import build_app
    from archiver.queue.defer import defer_archive

    app = build_app(load_settings())
    async with app.open_async():
        for u in urls:
            await defer_archive(app, u, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "ARCHIVER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--pages", type=int, default=10, help="articles per host")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=4, help="jobs per worker")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--overhead-pages", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "hosts": args.hosts, "pages_per_host": args.pages, "latency_s": args.latency,
        "cpus": os.cpu_count(), "runs": [],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, Site(args.hosts, args.pages, args.latency) as site:
        for workers in [0, *(int(w) for w in args.workers.split(","))]:
            report["runs"].append(run_site(args.postgres, site, args.hosts, workers,
                                           args.concurrency, Path(tmp)))  # fmt: skip
            if not args.json:
                print(report["runs"][-1], flush=True)
        report["overhead"] = overhead(args.postgres, site, args.overhead_pages, Path(tmp))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(report["overhead"])


if __name__ == "__main__":
    main()
