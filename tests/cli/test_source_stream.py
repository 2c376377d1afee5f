"""``source run`` prints each article URL as soon as it is done, and sums up on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.streams import ARCHIVER, SLOW_HOST, WAIT, Lines, hold, start
from tests.daemon.newssite import NewsSite
from tests.fixtures.batchsites import article
from tests.localsite import LocalSite


@pytest.fixture
def slow_site() -> Iterator[LocalSite]:
    with LocalSite(SLOW_HOST) as s:
        yield s


def feed_with_slow_item(
    site: LocalSite, slow_site: LocalSite, path: str, *, first: bool
) -> list[str]:
    """Source "n": a feed of two quick articles and one on ``slow_site`` at ``path`` (listed
    first or last); the quick articles' URLs."""
    news = NewsSite(site)
    fast = [news.publish("one", 0), news.publish("two", 1)]
    feed = site.pages["/rss.xml"].body.decode()
    item = f"<item><title>slow</title><link>{slow_site.url(path)}</link></item>"
    where = "<item>" if first else "</channel>"
    feed = feed.replace(where, item + where, 1)
    site.set("/rss.xml", feed, content_type="application/rss+xml")
    add = ["source", "add", news.url("/rss.xml"), "--kind", "feed", "--every", "1h"]
    subprocess.run([str(ARCHIVER), *add, "--name", "n"], check=True, capture_output=True)
    return fast


def test_source_run_prints_each_article_as_soon_as_it_is_done(
    archiver_env: Path, site: LocalSite, slow_site: LocalSite
) -> None:
    release = hold(slow_site, "/slow", article(9, 9))
    fast = feed_with_slow_item(site, slow_site, "/slow", first=True)
    proc = start("source", "run", "n")
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out = Lines(proc.stdout)
        first = [out.next().split() for _ in fast]  # while the slow article is held back
        assert sorted(words[1] for words in first) == fast
        release.set()
        slow, poll = out.rest()
        assert slow.split()[:2] == ["new", slow_site.url("/slow")]
        assert re.fullmatch(r"n: 3 found, 3 new, 0 failed in \d+\.\d s\n", poll), poll
        assert proc.wait(timeout=WAIT) == 0
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_ctrl_c_in_source_run_sums_up_what_finished(
    archiver_env: Path, site: LocalSite, slow_site: LocalSite
) -> None:
    hold(slow_site, "/never", article(9, 9))
    fast = feed_with_slow_item(site, slow_site, "/never", first=False)
    proc = start("source", "run", "n")
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out = Lines(proc.stdout)
        done = [out.next().split() for _ in fast]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=WAIT) == 130
        rest, err = out.rest(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert sorted(words[1] for words in done) == fast
    (summary,) = rest
    assert summary.startswith(
        "n: interrupted after 2 of 3 URLs: 2 new, 0 updated, 0 unchanged, 0 duplicate, 0 errors"
    ), summary
    assert err == ""
