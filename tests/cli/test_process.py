"""The installed entry points as real processes: console script, -m, daemon, parallel writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from archiver.config import load_settings
from archiver.store import Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite

ARCHIVER = Path(sys.executable).with_name("archiver")


def test_console_script_and_module_agree(archiver_env: Path) -> None:
    a = subprocess.run([str(ARCHIVER), "--version"], capture_output=True, text=True, check=True)
    b = subprocess.run([sys.executable, "-m", "archiver", "--version"], capture_output=True,
                       text=True, check=True)  # fmt: skip
    assert a.stdout == b.stdout and "archiver" in a.stdout


def test_debug_shows_traceback(archiver_env: Path) -> None:
    quiet = subprocess.run([str(ARCHIVER), "show", "99"], capture_output=True, text=True)
    loud = subprocess.run([str(ARCHIVER), "--debug", "show", "99"], capture_output=True, text=True)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert loud.returncode != 0 and "Traceback" in loud.stderr and "NotFoundError" in loud.stderr


def test_daemon_creates_store_and_stops_on_sigterm(archiver_env: Path) -> None:
    proc = subprocess.Popen(
        [str(ARCHIVER), "--log-format", "json", "run"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:  # blocks until the daemon reports it started
            seen.append(line)
            if '"message": "daemon started' in line:
                break
        else:
            raise AssertionError(f"daemon never said it started: {seen}")
        assert (archiver_env / "archiver.db").exists()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_parallel_writers_never_see_database_locked(archiver_env: Path, site: LocalSite) -> None:
    """Several `archiver add` processes writing into one SQLite archive at once."""
    urls = []
    for n in range(24):
        path = f"/p/{n}"
        site.set(path, seed_page(n % 4, url=site.url(path), edit=f"Unique closing line {n}.").html)
        urls.append(site.url(path))
    env = dict(os.environ)
    procs = [
        subprocess.Popen([str(ARCHIVER), "add", *urls[i::4]], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(4)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
    with Store(load_settings().db_url) as store:
        counts = store.counts()
    assert counts["articles"] == 24 and counts["versions"] == 24


def test_daemon_and_cli_writers_at_once(archiver_env: Path, site: LocalSite) -> None:
    """The daemon archiving a feed while three `archiver add` processes write too."""
    from tests.daemon.newssite import NewsSite

    news = NewsSite(site)
    for i in range(15):
        news.publish(f"feed-{i}", i % 4)
    env = {**os.environ, "ARCHIVER_EXTRACT__WORKERS": "1"}
    subprocess.run([str(ARCHIVER), "source", "add", news.url("/rss.xml"), "--kind", "feed",
                    "--every", "1h"], check=True, env=env, capture_output=True)  # fmt: skip
    urls = []
    for n in range(18):
        path = f"/cli/{n}"
        site.set(path, seed_page(n % 4, url=site.url(path), edit=f"CLI closing line {n}.").html)
        urls.append(site.url(path))
    daemon = subprocess.Popen([str(ARCHIVER), "--log-format", "json", "run"], env=env,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert daemon.stderr is not None
        for line in daemon.stderr:
            if "daemon started" in line:
                break
        adders = [
            subprocess.Popen([str(ARCHIVER), "add", *urls[i::3]], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i in range(3)
        ]  # fmt: skip
        for proc in adders:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "locked" not in err
            *lines, summary = out.splitlines()
            assert len(lines) == 6 and summary.startswith("6 URLs: 6 new, "), out
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with Store(load_settings().db_url) as store:
                if store.counts()["articles"] == 33:
                    break
            time.sleep(0.2)
        daemon.send_signal(signal.SIGTERM)
        rest = daemon.stderr.read()
        assert daemon.wait(timeout=12) == 0
        assert "locked" not in rest
        assert "error" not in rest.lower()
    finally:
        if daemon.poll() is None:
            daemon.kill()
        daemon.wait()
        if daemon.stderr is not None:
            daemon.stderr.close()
    with Store(load_settings().db_url) as store:
        assert store.counts()["articles"] == 33
