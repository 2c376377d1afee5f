"""Start, stop and restart: SIGTERM, downtime, one poll per source after a day offline."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from archiver.config import Settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite

ARCHIVER = Path(sys.executable).with_name("archiver")


def test_restart_after_a_day_offline_polls_each_source_once(
    settings: Settings, store: Store, news: NewsSite
) -> None:
    news.publish("old-news", 0)
    feed = store.add_source(make_spec(news.url("/rss.xml"), kind="feed", every="2s"))
    # the daemon last polled a day ago: 43,200 ticks of 2 s were missed
    store.record_poll(feed.id, at=datetime.now(UTC) - timedelta(days=1), found=0, new=0,
                      error=None)  # fmt: skip

    async def scenario() -> None:
        async with running(settings):
            await until(lambda: len(news.site.hits_for("/rss.xml")) >= 1, what="catch-up poll")
            caught_up = time.monotonic()
            await until(lambda: len(news.site.hits_for("/rss.xml")) >= 2, what="next tick")
            # the second poll is a regular tick, not a burst of missed ones
            assert time.monotonic() - caught_up >= 1.5

    asyncio.run(scenario())
    feed_hits = [h.at for h in news.site.hits_for("/rss.xml")]
    assert feed_hits[1] - feed_hits[0] >= 1.5


def test_sigterm_stops_a_busy_daemon_cleanly(archiver_env: Path, news: NewsSite) -> None:
    """SIGTERM while a fetch hangs: exit 0 within 10 s, nothing half-written."""
    news.publish("fast", 0)
    hung = news.publish("hangs", 1)
    release = threading.Event()

    def never_answers(req: BaseHTTPRequestHandler) -> None:
        release.wait(30)

    news.site.handle(news.article_path("hangs"), never_answers)
    env = {**os.environ, "ARCHIVER_EXTRACT__WORKERS": "1"}
    subprocess.run([str(ARCHIVER), "source", "add", news.url("/rss.xml"), "--kind", "feed",
                    "--every", "1h"], check=True, env=env, capture_output=True)  # fmt: skip
    proc = subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"], env=env,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if '"message": "new ' in line:  # the fast article is in; the other one hangs
                break
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=12)
        took = time.monotonic() - started
        rest = proc.stderr.read()
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    assert code == 0, rest
    assert took < 10, took
    assert "daemon stopped" in rest
    db = sqlite3.connect(archiver_env / "archiver.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM article").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM version").fetchone() == (1,)
        orphans = db.execute(
            "SELECT count(*) FROM capture WHERE article_id IS NULL AND error IS NULL"
        ).fetchone()
        assert orphans == (0,)
        assert hung not in {url for (url,) in db.execute("SELECT url FROM alias")}
    finally:
        db.close()


def test_killed_daemon_resumes_where_it_left_off(archiver_env: Path, news: NewsSite) -> None:
    """kill -9 after the first capture: the re-check due in the store runs after restart."""
    url = news.publish("resumable", 2)
    env = {
        **os.environ,
        "ARCHIVER_EXTRACT__WORKERS": "1",
        "ARCHIVER_DAEMON__RECHECK_LADDER": '["3s", "1h"]',
        "ARCHIVER_DAEMON__RECHECK_SCAN_EVERY": "0.2s",
    }
    subprocess.run([str(ARCHIVER), "source", "add", news.url("/rss.xml"), "--kind", "feed",
                    "--every", "1h"], check=True, env=env, capture_output=True)  # fmt: skip

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"], env=env,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip

    def wait_for(proc: subprocess.Popen[str], needle: str) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if needle in line:
                return
        raise AssertionError(f"daemon exited before logging {needle!r}")

    first = start()
    try:
        wait_for(first, '"message": "new ')
        first.kill()  # SIGKILL: no cleanup at all
        first.wait()
    finally:
        if first.stderr is not None:
            first.stderr.close()
    news.edit("resumable", "A paragraph added after the crash, found by the resumed re-check.")
    second = start()
    try:
        wait_for(second, '"message": "updated ')
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=12) == 0
    finally:
        if second.poll() is None:
            second.kill()
        second.wait()
        if second.stderr is not None:
            second.stderr.close()
    with Store(f"sqlite:///{archiver_env / 'archiver.db'}") as store:
        article = store.article(url)
        assert article.version_count == 2
        assert store.counts()["articles"] == 1


def test_second_daemon_on_the_same_archive_refuses_to_start(archiver_env: Path) -> None:
    first = subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"],
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert first.stderr is not None
        for line in first.stderr:
            if "daemon started" in line:
                break
        second = subprocess.run([str(ARCHIVER), "run"], capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        lines = second.stderr.strip().splitlines()
        assert lines == [
            f"archiver: error: another archiver daemon (pid {first.pid}) is already running "
            f"on {archiver_env}"
        ], second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=12) == 0
    finally:
        if first.poll() is None:
            first.kill()
        first.wait()
        if first.stderr is not None:
            first.stderr.close()
    # the lock went with the first daemon: a new one starts
    third = subprocess.Popen([str(ARCHIVER), "run"], stderr=subprocess.PIPE, text=True)
    try:
        assert third.stderr is not None
        assert any("daemon started" in line for line in third.stderr)  # reads until it logs
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(timeout=12)
        if third.stderr is not None:
            third.stderr.close()
