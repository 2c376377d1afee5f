"""A full disk or a read-only data directory: one clear error, nothing partial, work resumes.

Needs a real small file system: the test mounts a tmpfs (root only; skipped
with a message elsewhere, e.g. on a developer laptop without root).
"""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archiver.config import load_settings
from archiver.store import Store
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite


@pytest.fixture
def small_home(
    archiver_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    mount = tmp_path / f"tmpfs-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"DISK-FULL TESTS SKIPPED: cannot mount a tmpfs here ({done.stderr.strip()}); "
                    "run the suite as root (CI does) to exercise them")  # fmt: skip
    monkeypatch.setenv("ARCHIVER_HOME", str(mount))
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError:
            pass
    return filler


def _state(home: Path) -> tuple[int, int, str]:
    with Store(load_settings().db_url) as store:
        counts = store.counts()
    db = sqlite3.connect(home / "archiver.db")
    try:
        (integrity,) = db.execute("PRAGMA integrity_check").fetchone()
    finally:
        db.close()
    return counts["articles"], counts["versions"], integrity


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_disk_full_then_space_returns(cli: Any, site: LocalSite, small_home: Path) -> None:
    for n in range(3):
        site.set(f"/s/{n}", seed_page(n, url=site.url(f"/s/{n}")).html)
    assert cli("add", site.url("/s/0")).code == 0
    filler = _fill(small_home)
    run = cli("add", site.url("/s/1"))
    assert run.code == 1
    assert "disk holding the database is full" in _one_line(run.err)
    filler.unlink()
    assert _state(small_home) == (1, 1, "ok")  # nothing partial from the failed add
    leftovers = {p.name for p in small_home.iterdir()}
    assert leftovers <= {"archiver.db", "archiver.db-wal", "archiver.db-shm"}
    again = cli("add", "--json", site.url("/s/1"))
    assert again.code == 0, again.err
    assert again.json()["outcome"] == "new"
    assert _state(small_home) == (2, 2, "ok")


def test_read_only_data_directory(cli: Any, site: LocalSite, small_home: Path) -> None:
    site.set("/r/0", seed_page(0, url=site.url("/r/0")).html)
    site.set("/r/1", seed_page(1, url=site.url("/r/1")).html)
    assert cli("add", site.url("/r/0")).code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_home)], check=True)
    try:
        run = cli("add", site.url("/r/1"))
        assert run.code == 1
        assert "cannot be written" in _one_line(run.err)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_home)], check=True)
    assert _state(small_home) == (1, 1, "ok")
    assert cli("add", site.url("/r/1")).code == 0
    assert _state(small_home) == (2, 2, "ok")
