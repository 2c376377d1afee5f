"""Several writers at once: separate OS processes, and threads sharing one Store."""

from __future__ import annotations

import multiprocessing
import traceback
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Barrier
from typing import Any

from archiver.store import Store
from tests.store.factories import record

PER_WORKER = 50
SHARED = "https://news.example/shared/{}"


def _workload(worker: int) -> list[tuple[str, str]]:
    """(url, text) pairs: even steps hit URLs both workers record, odd ones a private URL."""
    return [
        (SHARED.format(step), f"shared story {step}")
        if step % 2 == 0
        else (f"https://news.example/w{worker}/{step}", f"story {step} of worker {worker}")
        for step in range(PER_WORKER)
    ]


def _record_many(url: str, worker: int, start: Barrier, results: Any) -> None:
    """Runs in a child process: open the store (migrating it) and record as fast as possible."""
    try:
        start.wait(timeout=60)
        with Store(url) as store:
            outcomes = [
                (page, record(store, page, text, minutes=step).outcome)
                for step, (page, text) in enumerate(_workload(worker))
            ]
        results.put((worker, outcomes, None))
    except BaseException:
        results.put((worker, [], traceback.format_exc()))


def test_two_processes_write_at_once(db_url: str) -> None:
    """Both start on an empty database: migrations and records race, nothing is lost."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_record_many, args=(db_url, w, start, results)) for w in (0, 1)]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=110) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
        assert proc.exitcode == 0
    errors = [error for _, _, error in reports if error]
    assert not errors, "\n".join(errors)

    outcomes: dict[str, list[str]] = {}
    for _, pairs, _ in reports:
        for page, outcome in pairs:
            outcomes.setdefault(page, []).append(outcome)
    shared = [SHARED.format(step) for step in range(0, PER_WORKER, 2)]
    for page in shared:  # exactly one process created each shared article
        assert sorted(outcomes[page]) == ["new", "unchanged"], page
    private = 2 * (PER_WORKER - len(shared))
    with Store(db_url) as store:
        assert store.counts() == {
            "articles": len(shared) + private,
            "versions": len(shared) + private,
            "captures": 2 * PER_WORKER,
            "bodies": len(shared) + private,
        }
        for page in shared:
            assert len(store.captures(store.article(page).id)) == 2


def test_threads_share_one_store(store: Store) -> None:
    """The pipeline calls the store from worker threads (asyncio.to_thread)."""

    def work(worker: int) -> list[str]:
        return [
            record(store, SHARED.format(step % 10), f"text {step % 10}", minutes=step).outcome
            for step in range(worker, 80, 4)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = [o for batch in pool.map(work, range(4)) for o in batch]
    assert outcomes.count("new") == 10
    assert outcomes.count("unchanged") == 70
    assert store.counts()["captures"] == 80


def test_opening_waits_for_a_lock_held_on_a_new_archive(tmp_path: Any) -> None:
    """Opening a new archive waits for another process's lock instead of failing."""
    import sqlite3
    import threading
    import time

    path = tmp_path / "fresh.db"
    holder = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    holder.execute("CREATE TABLE other_process (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO other_process VALUES (1)")
    release = threading.Timer(0.5, holder.execute, args=("COMMIT",))
    release.start()
    started = time.monotonic()
    try:
        with Store(f"sqlite:///{path}") as store:
            assert store.counts()["articles"] == 0
    finally:
        release.join()
        holder.close()
    assert time.monotonic() - started >= 0.4
