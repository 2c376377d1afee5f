"""A batch prints each URL as soon as it is done, sums up at the end, and survives Ctrl-C.

The streaming and Ctrl-C tests run the real console script: its stdout is a pipe (or a
terminal) that the test reads while one URL's server still holds its answer back.
"""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.streams import ARCHIVER, SLOW_HOST, SUMMARY, WAIT, Lines, hold, start, stories
from tests.fixtures.batchsites import article
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite


@pytest.fixture
def slow_site() -> Iterator[LocalSite]:
    with LocalSite(SLOW_HOST) as s:
        yield s


def test_each_url_is_flushed_through_a_pipe_as_soon_as_it_is_done(
    archiver_env: Path, site: LocalSite, slow_site: LocalSite, tmp_path: Path
) -> None:
    release = hold(slow_site, "/slow", article(9, 9))
    fast = stories(site, 1, 2)
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join([slow_site.url("/slow"), *fast]) + "\n")  # the slow one first
    proc = start("add", "--json", "--from-file", str(listing))
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out = Lines(proc.stdout)
        first = [json.loads(out.next()) for _ in fast]  # while /slow is still held back
        assert sorted(row["url"] for row in first) == fast
        assert {row["outcome"] for row in first} == {"new"}
        release.set()
        (last,) = [json.loads(line) for line in out.rest()]
        assert (last["url"], last["outcome"]) == (slow_site.url("/slow"), "new")
        assert proc.wait(timeout=WAIT) == 0
        err = proc.stderr.read()
        assert SUMMARY.fullmatch(err.strip()), err  # the summary alone, on stderr
        assert err.startswith("3 URLs: 3 new, 0 updated, 0 unchanged, 0 duplicate, 0 errors in")
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_ctrl_c_keeps_what_finished_and_sums_it_up(
    archiver_env: Path, site: LocalSite, slow_site: LocalSite, tmp_path: Path, as_json: bool
) -> None:
    hold(slow_site, "/never", article(9, 9))  # never released: the run is interrupted
    fast = stories(site, 2, 2)
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join([*fast, slow_site.url("/never")]) + "\n")
    proc = start("add", *(["--json"] if as_json else []), "--from-file", str(listing))
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out = Lines(proc.stdout)
        done = [out.next() for _ in fast]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=WAIT) == 130
        rest, err = out.rest(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    summary = (rest[-1] if not as_json else err).strip()
    assert summary.startswith(
        "interrupted after 2 of 3 URLs: 2 new, 0 updated, 0 unchanged, 0 duplicate, 0 errors in "
    ), (rest, err)
    if as_json:
        assert rest == []
        assert sorted(json.loads(line)["url"] for line in done) == fast
    else:
        assert rest == [rest[-1]] and err == ""
        assert sorted(line.split()[1] for line in done) == fast
    assert "Traceback" not in err


def _batch(site: LocalSite) -> tuple[list[str], dict[str, str]]:
    """Five URLs with five different outcomes once ``a`` and ``b`` are archived."""
    for name, n in (("a", 0), ("b", 1), ("c", 2)):
        site.set(f"/{name}", seed_page(n, url=site.url(f"/{name}")).html)
    site.redirect("/moved", site.url("/a"))
    site.set("/gone", "gone", status=404)
    names = ("a", "b", "c", "moved", "gone")
    want = dict(zip(names, ("unchanged", "updated", "new", "duplicate", "error"), strict=True))
    return [site.url(f"/{name}") for name in names], {site.url(f"/{k}"): v for k, v in want.items()}


def _prepare(cli: Any, site: LocalSite, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    urls, want = _batch(site)
    assert cli("add", urls[0], urls[1]).code == 0
    site.set("/b", seed_page(1, url=site.url("/b"), edit="A sentence the desk added.").html)
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    return listing, want


def test_a_batch_ends_with_a_summary_and_reports_each_error_once(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    listing, want = _prepare(cli, site, tmp_path)
    run = cli("add", "--from-file", str(listing))
    assert run.code == 1
    *lines, summary = run.out.splitlines()
    assert re.fullmatch(
        r"5 URLs: 1 new, 1 updated, 1 unchanged, 1 duplicate, 1 error in \d+\.\d s", summary
    ), summary
    assert {line.split()[1]: line.split()[0] for line in lines} == {
        url: outcome for url, outcome in want.items() if outcome != "error"
    }
    gone = site.url("/gone")
    assert gone not in run.out  # the error is on stderr only ...
    (error,) = run.err.splitlines()
    assert error == f"archiver: error: HTTP 404 from {gone}"  # ... naming the URL once


def test_a_json_batch_keeps_stdout_one_object_per_url(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    listing, want = _prepare(cli, site, tmp_path)
    run = cli("add", "--json", "--from-file", str(listing))
    assert run.code == 1
    rows = run.json_lines()
    assert {row["url"]: row["outcome"] for row in rows} == want
    assert all(set(row) == {"url", "article_id", "outcome", "version", "error"} for row in rows)
    error, summary = run.err.splitlines()
    assert error == f"archiver: error: HTTP 404 from {site.url('/gone')}"
    assert SUMMARY.fullmatch(summary) and summary.startswith("5 URLs: 1 new, 1 updated"), summary


def test_one_url_needs_no_summary(cli: Any, site: LocalSite) -> None:
    site.set("/a", seed_page(0, url=site.url("/a")).html)
    run = cli("add", site.url("/a"))
    assert run.code == 0 and run.err == ""
    assert run.out.split()[:2] == ["new", site.url("/a")]
    assert len(run.out.splitlines()) == 1


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_the_lines_come_out_above_the_bar(
    archiver_env: Path, site: LocalSite
) -> None:
    urls = stories(site, 3, 3)
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm"}
    with subprocess.Popen([str(ARCHIVER), "add", *urls], stdin=subprocess.DEVNULL,
                          stdout=follower, stderr=follower, env=env) as proc:  # fmt: skip
        os.close(follower)
        shown = _read_all(leader)
        assert proc.wait(timeout=WAIT) == 0
    os.close(leader)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    pieces = [p.strip() for p in re.split(r"[\r\n]", plain) if p.strip()]
    assert any("archiving" in p for p in pieces), shown  # the bar was drawn
    for url in urls:  # every URL's line whole, on a line of its own
        assert (
            sum(1 for p in pieces if re.fullmatch(rf"new +{re.escape(url)} +article \d+ v1", p))
            == 1
        )
    assert SUMMARY.fullmatch(pieces[-1]), pieces
