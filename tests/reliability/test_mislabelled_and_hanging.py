"""A cp1252 page labelled UTF-8, and a server that accepts and never answers.

Both against the local fault server, as a user meets them: ``archiver add`` in
a real process, and the daemon in-process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from archiver.config import Settings, load_settings
from archiver.fetch import Fetcher
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.daemon.conftest import running, until
from tests.reliability.conftest import article_html
from tests.reliability.faultserver import FaultServer, respond, sequence, silent

MAYOR = (
    "The mayor said \u201cwe will build it\u201d and it will cost \u20ac5 million \u2014 or more."
)
STORY = (
    "The harbour reopened on Tuesday after three weeks of repairs to the old sea wall.",
    "Fishing boats returned at dawn, and the market stalls were full again by noon.",
)


def _add(
    *args: str, env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, time.monotonic() - started


def _env(archiver_env: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    env.update({
        "ARCHIVER_HOME": str(archiver_env), "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1",
        "ARCHIVER_FETCH__PER_HOST_DELAY": "0", "ARCHIVER_EXTRACT__WORKERS": "1",
        "ARCHIVER_FETCH__RESPECT_ROBOTS": "0", **extra,
    })  # fmt: skip
    return env


# -- 1. cp1252 bytes under "charset=utf-8", a short English text, no <meta charset> ------


@pytest.mark.parametrize("lang", [" lang='en'", ""], ids=["lang-en", "no-lang"])
def test_cp1252_page_labelled_utf8_is_read_as_cp1252(
    archiver_env: Path, fault: FaultServer, lang: str
) -> None:
    body = f"<html{lang}><head><title>Harbour</title></head><body><article>"
    body += f"<p>{' '.join([MAYOR] * 8)}</p></article></body></html>"
    fault.route("/mayor", respond(body.encode("cp1252"), content_type="text/html; charset=utf-8"))
    env = _env(archiver_env)

    added, _ = _add("add", fault.url("/mayor"), env=env, cwd=archiver_env.parent)
    assert added.returncode == 0, added.stderr
    shown, _ = _add("show", fault.url("/mayor"), env=env, cwd=archiver_env.parent)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count(MAYOR) == 8, shown.stdout
    assert not any(c in shown.stdout for c in "\u014d\u00f6\u0106\u015a\ufffd"), shown.stdout


# -- 2. a server that accepts the connection and never answers ---------------------------


def test_add_of_a_hanging_server_costs_one_deadline(
    archiver_env: Path, fault: FaultServer, report: Any
) -> None:
    fault.route("/hangs", silent())
    fault.route("/gone", respond(b"gone", status=404, content_type="text/plain"))
    env = _env(archiver_env, ARCHIVER_FETCH__TOTAL_TIMEOUT="2", ARCHIVER_FETCH__MAX_RETRIES="3")

    _, baseline = _add("add", fault.url("/gone"), env=env, cwd=archiver_env.parent)
    done, elapsed = _add("add", fault.url("/hangs"), env=env, cwd=archiver_env.parent)

    report(f"archiver add of a silent server: exit {done.returncode} after {elapsed:.2f} s; "
           f"of a 404 page: {baseline:.2f} s (2 s deadline, max_retries 3)")  # fmt: skip
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "timed out after 2s" in errors[0], done.stderr
    assert len(fault.hits_for("/hangs")) == 1  # no retry at once
    # one deadline more than a quick failure, not the four of 1 + max_retries attempts
    assert elapsed >= 2.0 and elapsed - baseline < 2 * 2.0


@pytest.mark.anyio
async def test_a_hang_backs_the_host_off_at_once(archiver_env: Path, fault: FaultServer) -> None:
    fault.route("/hangs", silent())
    fault.route("/fine", respond(article_html("Harbour", *STORY)))
    settings = load_settings()
    settings.fetch.total_timeout = 1.0
    settings.fetch.retry_backoff = 1.5  # the first failure keeps the host alone this long

    async with Fetcher(settings.fetch) as fetcher:
        with pytest.raises(Exception, match="timed out"):
            await fetcher.fetch(fault.url("/hangs"), check_robots=False)
        failed_at = time.monotonic()
        fine = await fetcher.fetch(fault.url("/fine"), check_robots=False)
        waited = time.monotonic() - failed_at

    assert fine.status == 200
    assert waited >= 1.5  # the host was backed off after its first failure


@pytest.fixture
def daemon_settings(archiver_env: Path) -> Settings:
    s = load_settings()
    s.extract.workers = 1
    s.daemon.recheck_ladder = [3600.0]
    s.daemon.recheck_scan_every = 0.2
    s.daemon.reload_every = 0.2
    s.daemon.sources_file = archiver_env.parent / "sources.toml"
    s.daemon.timeout_retry_after = 1.0
    s.fetch.total_timeout = 1.0
    s.fetch.retry_backoff = 0.05
    s.fetch.respect_robots = False
    return s


def _feed(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel>{items}</channel></rss>".encode()


def test_daemon_retries_a_hung_article_once_later(
    daemon_settings: Settings, fault: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    base = fault.url("/").rstrip("/")
    fault.route("/rss.xml", respond(_feed(base, ["/a/once", "/a/always"]),
                                    content_type="application/rss+xml"))  # fmt: skip
    fault.route("/a/once", sequence(silent(), respond(article_html("Harbour", *STORY))))
    fault.route("/a/always", silent())
    daemon_settings.ensure_home()
    with Store(daemon_settings.db_url) as store:
        store.add_source(make_spec(fault.url("/rss.xml"), kind="feed", every="1h"))

        async def scenario() -> None:
            async with running(daemon_settings) as daemon:
                await until(lambda: store.counts()["articles"] == 1, what="retried article")
                await until(lambda: "timed out again" in caplog.text, what="second hang")
                assert daemon.scheduler.get_job(f"retry:{fault.url('/a/always')}") is None
                assert daemon.scheduler.get_job(f"retry:{fault.url('/a/once')}") is None

        with caplog.at_level("INFO", logger="archiver"):
            asyncio.run(scenario())
        assert store.article(fault.url("/a/once")).version_count == 1

    once, always = fault.hits_for("/a/once"), fault.hits_for("/a/always")
    assert len(once) == 2 and len(always) == 2  # each hang: one retry, and only one
    assert len(fault.hits_for("/rss.xml")) == 1
    gap = once[1].at - once[0].at
    assert gap >= 1.0 + 1.0 - 0.1  # the deadline, then timeout_retry_after: later, not at once
