"""``archiver run --log-format json``: every stderr line is one JSON object.

A re-check batch and a source poll that outlast their intervals must not trip
apscheduler's "maximum number of running instances" warning (the jobs never
overlap themselves), and a SIGTERM while a re-check hangs ends without a
traceback (the cancelled work is one INFO line at most).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from archiver.config import load_settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite

ARCHIVER = Path(sys.executable).with_name("archiver")
SLOW = 1.2  # seconds a slow answer takes: several re-check scans, more than a poll interval
ARTICLE = "/news/2026/11/slow-story"


def _answer(req: BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
    req.send_response(200)
    req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


def _slow_sites(site: LocalSite, feeds: LocalSite, hanging: threading.Event) -> None:
    """A feed (on its own host, so that its slow answers do not hold the article's)
    that answers slowly after its first poll, and an article whose first re-check
    is slow and whose second one hangs (``hanging`` is set when it starts)."""
    page = seed_page(3, url=site.url(ARTICLE)).html.encode()
    feed = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>"
        f"<item><title>slow</title><link>{site.url(ARTICLE)}</link></item></channel></rss>"
    ).encode()
    article_calls, feed_calls = itertools.count(), itertools.count()

    def article(req: BaseHTTPRequestHandler) -> None:
        call = next(article_calls)
        if call >= 2:  # the second re-check: held until the daemon gives up on it
            hanging.set()
            site.stopping.wait(30)
            req.close_connection = True
            return
        if call == 1:  # the first re-check outlasts several scan intervals
            site.stopping.wait(SLOW)
        _answer(req, page, "text/html; charset=utf-8")

    def rss(req: BaseHTTPRequestHandler) -> None:
        if next(feed_calls) >= 1:  # later polls outlast the source's interval
            site.stopping.wait(SLOW)
        _answer(req, feed, "application/rss+xml")

    site.handle(ARTICLE, article)
    feeds.handle("/rss.xml", rss)


@pytest.fixture
def feeds() -> Iterator[LocalSite]:
    """A second host (127.0.0.2) serving the feed."""
    with LocalSite("127.0.0.2") as s:
        yield s


def test_json_logs_stay_json_through_slow_jobs_and_sigterm(
    archiver_env: Path, site: LocalSite, feeds: LocalSite
) -> None:
    hanging = threading.Event()
    _slow_sites(site, feeds, hanging)
    settings = load_settings()
    settings.ensure_home()
    with Store(settings.db_url) as store:
        store.add_source(make_spec(feeds.url("/rss.xml"), kind="feed", every="1s"))
    env = {
        **os.environ,
        "ARCHIVER_EXTRACT__WORKERS": "1",
        "ARCHIVER_DAEMON__RECHECK_LADDER": '["1s", "6s", "1h"]',
        "ARCHIVER_DAEMON__RECHECK_SCAN_EVERY": "0.2s",
        "ARCHIVER_DAEMON__RELOAD_EVERY": "0.2s",
        "ARCHIVER_DAEMON__SHUTDOWN_GRACE": "0.3",
    }
    proc = subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"], env=env,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    try:
        assert hanging.wait(60), "the second re-check never came:\n" + "".join(lines)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()

    stderr = "".join(lines)
    assert code == 0, stderr
    records = []
    for line in lines:
        record = json.loads(line)  # every line: one JSON object
        assert set(record) >= {"time", "level", "logger", "message"}, line
        records.append(record)
    assert "maximum number of running instances" not in stderr
    assert "Traceback" not in stderr
    assert not [r for r in records if r["level"] in ("error", "critical")], stderr
    messages = [r["message"] for r in records]
    assert "re-checked 1 articles: 0 changed" in messages  # the slow re-check finished
    assert len(feeds.hits_for("/rss.xml")) >= 2  # a slow poll ran past its next tick
    assert messages[-1] == "daemon stopped", stderr
