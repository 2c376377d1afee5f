"""kill -9 the daemon at random moments of a busy run, 25 times: nothing acknowledged is lost."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.daemon.newssite import NewsSite

ARCHIVER = Path(sys.executable).with_name("archiver")
ACK = re.compile(r"^(new|updated) (\S+) \(article (\d+), version (\d+)\)$")
ROUNDS = 25


class Daemon:
    """A daemon subprocess whose log lines are collected by a reader thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"], env=env,
                                     stderr=subprocess.PIPE, text=True)  # fmt: skip
        self.messages: list[str] = []
        self.started = threading.Event()
        self.acked = threading.Event()  # the first article/version of this run is stored
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            try:
                message = json.loads(line)["message"]
            except (ValueError, KeyError):
                message = line.strip()
            self.messages.append(message)
            if message.startswith("daemon started"):
                self.started.set()
            if ACK.match(message):
                self.acked.set()

    def finish(self, sig: int) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=15)
        self._reader.join(timeout=5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return code


def _check_database(db_path: Path, acknowledged: set[tuple[int, int]]) -> None:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        versions = set(db.execute("SELECT article_id, seq FROM version").fetchall())
        lost = acknowledged - versions
        assert not lost, f"acknowledged versions lost: {sorted(lost)}"
        dup_articles = db.execute(
            "SELECT canonical_url FROM article GROUP BY canonical_url HAVING count(*) > 1"
        ).fetchall()
        dup_versions = db.execute(
            "SELECT article_id, seq FROM version GROUP BY article_id, seq HAVING count(*) > 1"
        ).fetchall()
        assert dup_articles == [] and dup_versions == []
        gaps = db.execute(
            "SELECT a.id FROM article a WHERE a.version_count != "
            "(SELECT count(*) FROM version v WHERE v.article_id = a.id)"
        ).fetchall()
        assert gaps == [], "article.version_count disagrees with its versions"
    finally:
        db.close()


# 25 daemon starts, each paying the extraction worker's start-up before its first
# version: about 60 s on a quick machine, over 120 s on a slow one.
@pytest.mark.timeout(400)
def test_kill_9_loop_loses_nothing(archiver_env: Path, news: NewsSite) -> None:
    rng = random.Random(20261121)
    stories = 20
    for i in range(stories):
        news.publish(f"story-{i}", i % 4)
    env = {
        **os.environ,
        "ARCHIVER_EXTRACT__WORKERS": "1",
        "ARCHIVER_DAEMON__RECHECK_LADDER": '["1s", "2s", "3s", "5s", "8s"]',
        "ARCHIVER_DAEMON__RECHECK_SCAN_EVERY": "0.2s",
        "ARCHIVER_DAEMON__RELOAD_EVERY": "0.5s",
    }
    subprocess.run([str(ARCHIVER), "source", "add", news.url("/rss.xml"), "--kind", "feed",
                    "--every", "1s"], check=True, env=env, capture_output=True)  # fmt: skip
    db_path = archiver_env / "archiver.db"
    acknowledged: set[tuple[int, int]] = set()
    busy_rounds = 0
    for round_ in range(ROUNDS):
        # keep it busy: new stories to discover and real edits for the re-checks to find
        for _ in range(2):
            news.publish(f"story-{stories}", stories % 4)
            stories += 1
        for i in rng.sample(range(stories), 3):
            news.edit(f"story-{i}", f"Update {round_}: officials gave new details on day {i}.")
        daemon = Daemon(env)
        assert daemon.started.wait(60), daemon.messages
        if round_ % 5 != 4:  # most kills land mid-work, a few during start-up
            busy_rounds += daemon.acked.wait(30)
        time.sleep(rng.uniform(0.0, 0.6))  # a random moment of the busy run is the point here
        daemon.finish(signal.SIGKILL)
        for message in daemon.messages:
            if match := ACK.match(message):
                acknowledged.add((int(match[3]), int(match[4])))
        _check_database(db_path, acknowledged)

    # A last, clean run: every due re-check runs and every story gets archived.
    final = Daemon(env)
    assert final.started.wait(60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db = sqlite3.connect(db_path)
        try:
            articles = db.execute("SELECT count(*) FROM article").fetchone()[0]
            now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
            overdue = db.execute(
                "SELECT count(*) FROM article WHERE next_check_at < datetime(?, '-3 seconds')",
                (now,),
            ).fetchone()[0]
        finally:
            db.close()
        if articles == stories and overdue == 0:
            break
        time.sleep(0.2)
    assert final.finish(signal.SIGTERM) == 0
    assert (articles, overdue) == (stories, 0)
    _check_database(db_path, acknowledged)
    assert busy_rounds == ROUNDS - ROUNDS // 5, busy_rounds  # killed mid-work, not while idle
    print(f"kill -9 x{ROUNDS}: {len(acknowledged)} acknowledged versions, none lost; "
          f"integrity ok after every kill; {busy_rounds} rounds killed while archiving; "
          f"{articles} articles, 0 overdue re-checks after restart")  # fmt: skip
