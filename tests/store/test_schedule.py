"""The re-check ladder, persisted by the very writes that record each check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text, update
from sqlmodel import Session

from archiver.errors import StoreError
from archiver.store import DueCheck, RecordResult, Store, search
from archiver.store.engine import make_engine
from archiver.store.models import Article
from archiver.version.ladder import Ladder
from tests.store.factories import T0, capture, content, html

LADDER = (3600.0, 3 * 3600.0, 9 * 3600.0)  # 1h, 3h, 9h
A = "https://news.example/story"
A_AMP = "https://news.example/amp/story"

State = tuple[datetime | None, int, datetime | None]  # anchor, step, next check


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def check(
    store: Store,
    body: str,
    hours: float,
    *,
    url: str = A,
    ladder: Ladder | tuple[float, ...] = LADDER,
    tiny: bool = False,
) -> RecordResult:
    """A successful fetch of ``url`` (an alias of A) at T0 + ``hours``, text ``body``."""
    return store.record(
        capture(url, minutes=round(hours * 60)),
        html(body),
        urls=(url,),
        canonical_url=A,
        site="news.example",
        content=content(body),
        ladder=ladder,
        tiny=tiny,
    )


def unchanged(store: Store, article_id: int, hours: float) -> None:
    store.record_unchanged(
        article_id, capture(A, minutes=round(hours * 60), status=304), ladder=LADDER
    )


def failed(store: Store, article_id: int, hours: float) -> None:
    store.record_failure(
        capture(A, minutes=round(hours * 60), status=503, error="HTTP 503"),
        article_id,
        ladder=LADDER,
    )


@pytest.fixture
def engine_session(db_url: str) -> Iterator[Callable[[], Session]]:
    """Sessions on the store's database, to look at columns the API does not expose."""
    engine = make_engine(db_url)
    yield lambda: Session(engine)
    engine.dispose()


@pytest.fixture
def state(engine_session: Callable[[], Session]) -> Callable[[int], State]:
    def read(article_id: int) -> State:
        with engine_session() as session:
            row = session.get(Article, article_id)
            assert row is not None
            return row.check_anchor, row.check_step, row.next_check_at

    return read


def test_new_article_is_due_after_the_first_rung(
    store: Store, state: Callable[[int], State]
) -> None:
    new = check(store, "Text.", 0)
    assert state(new.article_id) == (h(0), 0, h(1))
    assert store.due_checks(h(1) - timedelta(microseconds=1), 10) == []
    assert store.due_checks(h(1), 10) == [DueCheck(new.article_id, A)]


def test_without_a_ladder_a_new_article_is_anchored_but_not_scheduled(
    store: Store, state: Callable[[int], State]
) -> None:
    new = check(store, "Text.", 0, ladder=())
    assert state(new.article_id) == (h(0), 0, None)
    check(store, "Text two.", 2, ladder=())
    store.record_unchanged(new.article_id, capture(A, minutes=300))
    store.record_failure(capture(A, minutes=400, error="x"), new.article_id)
    assert state(new.article_id) == (h(0), 0, None)
    assert store.due_checks(h(1000), 10) == []


def test_unchanged_checks_climb_the_ladder_until_it_ends(
    store: Store, state: Callable[[int], State]
) -> None:
    article_id = check(store, "Text.", 0).article_id
    unchanged(store, article_id, 1)
    assert state(article_id) == (h(0), 1, h(3))
    assert check(store, "Text.", 3).outcome == "unchanged"
    assert state(article_id) == (h(0), 2, h(9))
    unchanged(store, article_id, 9.5)
    assert state(article_id) == (h(0), 3, None)
    assert store.due_checks(h(1000), 10) == []


def test_a_new_version_restarts_the_ladder(store: Store, state: Callable[[int], State]) -> None:
    article_id = check(store, "Text.", 0).article_id
    unchanged(store, article_id, 1)
    assert check(store, "Text, corrected.", 2.5).outcome == "updated"
    assert state(article_id) == (h(2.5), 0, h(3.5))


def test_a_duplicate_is_not_a_change(store: Store, state: Callable[[int], State]) -> None:
    article_id = check(store, "Text.", 0).article_id
    assert check(store, "Text.", 1, url=A_AMP).outcome == "duplicate"
    assert state(article_id) == (h(0), 1, h(3))


def test_a_check_after_downtime_skips_past_rungs(
    store: Store, state: Callable[[int], State]
) -> None:
    article_id = check(store, "Text.", 0).article_id
    unchanged(store, article_id, 5)  # the 1h and 3h rungs passed while nobody looked
    assert state(article_id) == (h(0), 2, h(9))
    unchanged(store, article_id, 48)
    assert state(article_id) == (h(0), 3, None)


def test_an_early_check_keeps_the_rung(store: Store, state: Callable[[int], State]) -> None:
    article_id = check(store, "Text.", 0).article_id
    unchanged(store, article_id, 0.5)
    failed(store, article_id, 0.75)
    assert state(article_id) == (h(0), 0, h(1))


def test_a_failed_check_moves_on_to_the_next_rung_and_never_ends_it(
    store: Store, state: Callable[[int], State]
) -> None:
    article_id = check(store, "Text.", 0).article_id
    failed(store, article_id, 1)
    assert state(article_id) == (h(0), 1, h(3))
    failed(store, article_id, 3)
    failed(store, article_id, 9)
    # ... but a failure never ends the ladder: the last rung's length later, once more
    assert state(article_id) == (h(0), 3, h(18))
    assert store.captures(article_id)[0].error == "HTTP 503"
    # A failure for a URL that is not archived yet schedules nothing.
    store.record_failure(capture("https://news.example/new", error="x"), ladder=LADDER)
    assert store.counts()["articles"] == 1


def test_a_failed_check_is_retried_on_its_rung_first(
    store: Store, state: Callable[[int], State]
) -> None:
    retrying = Ladder(LADDER, retries=2, retry_after=600.0)
    article_id = check(store, "Text.", 0, ladder=retrying).article_id
    for minutes in (60, 70, 90):  # the 1h rung, then its retries after 10 and 20 min
        store.record_failure(
            capture(A, minutes=minutes, error="HTTP 503"), article_id, ladder=retrying
        )
    assert state(article_id) == (h(0), 1, h(3))  # two retries used: on to the 3h rung
    check(store, "Text.", 3.1, ladder=retrying)  # a success in between resets the count
    store.record_failure(capture(A, minutes=540, error="HTTP 503"), article_id, ladder=retrying)
    assert state(article_id)[1:] == (2, h(9) + timedelta(minutes=10))


def test_articles_from_before_the_ladder_use_first_seen(
    store: Store,
    state: Callable[[int], State],
    engine_session: Callable[[], Session],
) -> None:
    article_id = check(store, "Text.", 0, ladder=()).article_id
    with engine_session() as session, session.begin():  # as migration 0002 leaves them
        session.exec(update(Article).values(check_anchor=None))
    unchanged(store, article_id, 2)
    assert state(article_id) == (h(0), 1, h(3))


def _fail_indexing(conn: Connection, *_args: object) -> None:
    conn.execute(text("SELECT no_such_column FROM no_such_table"))


def test_schedule_moves_only_with_the_record(
    store: Store, state: Callable[[int], State], monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = check(store, "Text.", 0).article_id
    monkeypatch.setattr(search, "index_article", _fail_indexing)
    with pytest.raises(StoreError):
        check(store, "Changed.", 2)
    assert state(article_id) == (h(0), 0, h(1))


def test_due_checks_oldest_first_with_limit(store: Store, db_url: str) -> None:
    def new(path: str, minutes: int) -> int:
        url = f"https://news.example/{path}"
        return store.record(
            capture(url, minutes=minutes),
            html(path),
            urls=(url,),
            canonical_url=url,
            site="news.example",
            content=content(path),
            ladder=LADDER,
        ).article_id

    c, a, b, a2 = new("c", 30), new("a", 0), new("b", 20), new("a2", 0)
    assert [d.article_id for d in store.due_checks(h(2), 10)] == [a, a2, b, c]  # ties by id
    assert [d.url for d in store.due_checks(h(2), 2)] == [
        "https://news.example/a",
        "https://news.example/a2",
    ]
    assert [d.article_id for d in store.due_checks(h(1) + timedelta(minutes=20), 10)] == [a, a2, b]
    assert store.due_checks(h(2), 0) == []
    store.record_unchanged(a, capture("https://news.example/a", minutes=60), ladder=LADDER)
    assert [d.article_id for d in store.due_checks(h(2), 10)] == [a2, b, c]
    with Store(db_url) as reopened:  # the schedule lives in the database
        assert [d.article_id for d in reopened.due_checks(h(3), 10)] == [a2, b, c, a]
    with pytest.raises(StoreError, match="naive"):
        store.due_checks(h(2).replace(tzinfo=None), 1)


def tiny_check(store: Store, body: str, hours: float) -> RecordResult:
    """A check whose new version changed only a few words (``tiny``: the pipeline's verdict)."""
    return check(store, body, hours, tiny=True)


def test_tiny_versions_in_a_row_trip_the_breaker_and_stop_restarting_the_ladder(
    store: Store, state: Callable[[int], State]
) -> None:
    new = check(store, "Text, seen at 1.", 0)
    tiny_check(store, "Text, seen at 2.", 1)
    tiny_check(store, "Text, seen at 3.", 2)
    assert state(new.article_id) == (h(2), 0, h(3))  # two tiny versions: restarted
    assert store.recheck_health().flagged_total == 0
    tiny_check(store, "Text, seen at 4.", 3)  # the third in a row: flagged, ladder goes on
    assert state(new.article_id) == (h(2), 1, h(5))
    health = store.recheck_health()
    assert health.flagged_total == 1
    assert [(f.article_id, f.url, f.tiny_streak) for f in health.flagged] == [
        (new.article_id, A, 3)
    ]
    tiny_check(store, "Text, seen at 5.", 5)
    assert state(new.article_id) == (h(2), 2, h(11))  # never chased faster
    check(store, "A real edit: a paragraph that was rewritten from end to end.", 12)
    assert state(new.article_id) == (h(12), 0, h(13))  # an edit restarts it, clears the flag
    assert store.recheck_health().flagged_total == 0


def test_an_unchanged_check_ends_a_tiny_streak(store: Store) -> None:
    new = check(store, "Text, seen at 1.", 0)
    tiny_check(store, "Text, seen at 2.", 1)
    tiny_check(store, "Text, seen at 3.", 2)
    unchanged(store, new.article_id, 3)
    tiny_check(store, "Text, seen at 4.", 4)
    assert store.recheck_health().flagged_total == 0


def test_failing_checks_show_in_health_until_one_succeeds(store: Store) -> None:
    new = check(store, "Text.", 0)
    failed(store, new.article_id, 1)
    failed(store, new.article_id, 2)
    health = store.recheck_health()
    assert health.failing_total == 1
    assert [(f.article_id, f.failures, f.error) for f in health.failing] == [
        (new.article_id, 2, "HTTP 503")
    ]
    unchanged(store, new.article_id, 3)
    assert store.recheck_health().failing_total == 0
