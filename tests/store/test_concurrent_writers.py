"""Concurrent writers on real PostgreSQL: the races scaled-out workers run into.

Each writer is a thread with a Store (an engine, a connection pool) of its own,
as each ``archiver worker`` has; a barrier lets them all write at the same
instant. The constraints (``uq_article_canonical_url``, unique ``ix_alias_url``
and ``ix_version_article_seq``, the primary keys of the learning tables) turn a
lost race into a unique violation, which ``run_write`` retries; the checks are
SQL on the database itself: one article per canonical URL, no duplicate
(article, seq), no lost version, no error surfacing to a writer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from archiver.store import Store
from archiver.version.volatile import Volatile
from tests.store.factories import capture, content, html

pytestmark = pytest.mark.postgres

WRITERS = 6
ROUNDS = 3
SITE = "news.example"


@pytest.fixture
def writers(db_url: str) -> Iterator[list[Store]]:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serializes every writer (BEGIN IMMEDIATE): nothing can race")
    stores = [Store(db_url)]
    stores += [Store(db_url, migrate=False) for _ in range(WRITERS - 1)]
    try:
        yield stores
    finally:
        for store in stores:
            store.close()


def at_once(stores: list[Store], work: Callable[[Store, int], Any]) -> list[Any]:
    """Run ``work(store, n)`` on every store in its own thread, all released together."""
    barrier = threading.Barrier(len(stores))

    def run(n: int) -> Any:
        barrier.wait()
        return work(stores[n], n)

    with ThreadPoolExecutor(len(stores)) as pool:
        return list(pool.map(run, range(len(stores))))  # a writer's error is raised here


def sql(store: Store, query: str) -> list[Any]:
    with store._engine.connect() as conn:
        return list(conn.execute(text(query)))


def test_writers_of_one_new_article_make_one_article_and_every_version(
    writers: list[Store], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="archiver.store.engine")
    for r in range(ROUNDS):
        url = f"https://{SITE}/story-{r}"

        def write(store: Store, n: int, url: str = url, r: int = r) -> Any:
            # Each writer fetched a different text (an edit every time) under its own alias.
            return store.record(
                capture(f"{url}?from={n}", minutes=n), html(f"text {n}"),
                urls=[f"{url}?from={n}"], canonical_url=url, site=SITE,
                content=content(f"Version {n} of story {r}."),
            )  # fmt: skip

        results = at_once(writers, write)
        assert sorted(result.outcome for result in results) == ["new"] + ["updated"] * (WRITERS - 1)
        assert len({result.article_id for result in results}) == 1

    first = writers[0]
    assert sql(first, "SELECT count(*) FROM article") == [(ROUNDS,)]
    assert sql(first, "SELECT canonical_url FROM article GROUP BY 1 HAVING count(*) > 1") == []
    assert sql(first, "SELECT article_id, seq FROM version GROUP BY 1, 2 HAVING count(*) > 1") == []
    # No lost version: every writer's text is there, numbered 1..WRITERS without a gap.
    assert sql(
        first, "SELECT a.version_count, count(v.id), min(v.seq), max(v.seq), "
        "count(DISTINCT v.text_hash) FROM article a JOIN version v ON v.article_id = a.id "
        "GROUP BY a.id, a.version_count",
    ) == [(WRITERS, WRITERS, 1, WRITERS, WRITERS)] * ROUNDS  # fmt: skip
    assert sql(first, "SELECT count(*), count(DISTINCT url) FROM alias") == [
        (ROUNDS * (WRITERS + 1),) * 2
    ]
    assert sql(first, "SELECT count(*) FROM capture") == [(ROUNDS * WRITERS,)]
    # The races did happen (and were retried), or this test would prove nothing.
    assert any("write lost a race" in r.getMessage() for r in caplog.records)


def test_writers_of_the_same_page_make_one_version(writers: list[Store]) -> None:
    url = f"https://{SITE}/same"

    def write(store: Store, n: int) -> Any:
        return store.record(
            capture(url, minutes=n), html("same"), urls=[url], canonical_url=url, site=SITE,
            content=content("The very same text."),
        )  # fmt: skip

    outcomes = sorted(result.outcome for result in at_once(writers, write))
    assert outcomes == ["new"] + ["unchanged"] * (WRITERS - 1)
    assert sql(writers[0], "SELECT count(*), max(seq) FROM version") == [(1, 1)]
    assert sql(writers[0], "SELECT count(*) FROM body") == [(1,)]


def test_template_and_volatile_learning_of_one_new_host(writers: list[Store]) -> None:
    prints = ["p-header", "p-footer", "p-rail"]
    counts = at_once(
        writers,
        lambda store, n: store.learn_template(SITE, f"https://{SITE}/a{n}", [*prints, f"own{n}"]),
    )
    assert max(c.pages for c in counts) == WRITERS
    rows = sql(writers[0], "SELECT fingerprint, pages FROM template_block ORDER BY 1")
    assert rows == sorted([(p, WRITERS) for p in prints] + [(f"own{n}", 1) for n in range(WRITERS)])
    assert sql(writers[0], "SELECT pages FROM template_site") == [(WRITERS,)]

    article = writers[0].record(
        capture(f"https://{SITE}/v"), html("v"), urls=[], canonical_url=f"https://{SITE}/v",
        site=SITE, content=content("v"),
    ).article_id  # fmt: skip
    items = [Volatile("print", "tick"), Volatile("slot", "p-rail", 3)]
    added = at_once(writers, lambda store, n: store.learn_volatile(SITE, article, items))
    assert sum(added) == len(items)  # each learned once, by whoever came first
    assert sql(writers[0], "SELECT count(*) FROM volatile_block") == [(len(items),)]
