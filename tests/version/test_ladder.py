from __future__ import annotations

from datetime import UTC, datetime, timedelta

from archiver.version.ladder import Ladder, plan_failed_check, plan_next_check

H = 3600.0
LADDER = (1 * H, 3 * H, 9 * H, 24 * H, 72 * H, 168 * H)
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_new_article_starts_at_the_first_rung() -> None:
    plan = plan_next_check(LADDER, anchor=T0, step=0, changed=True, now=T0)
    assert (plan.anchor, plan.step, plan.next_at) == (T0, 0, T0 + timedelta(hours=1))


def test_unchanged_check_climbs_the_ladder_from_the_anchor() -> None:
    now = T0 + timedelta(hours=1, seconds=5)
    plan = plan_next_check(LADDER, anchor=T0, step=0, changed=False, now=now)
    assert (plan.step, plan.next_at) == (1, T0 + timedelta(hours=3))


def test_change_restarts_the_ladder() -> None:
    now = T0 + timedelta(days=2)
    plan = plan_next_check(LADDER, anchor=T0, step=4, changed=True, now=now)
    assert (plan.anchor, plan.step, plan.next_at) == (now, 0, now + timedelta(hours=1))


def test_downtime_skips_rungs_in_the_past() -> None:
    now = T0 + timedelta(days=2)  # the 1h, 3h, 9h and 1d rungs were missed
    plan = plan_next_check(LADDER, anchor=T0, step=0, changed=False, now=now)
    assert (plan.step, plan.next_at) == (4, T0 + timedelta(days=3))


def test_ladder_ends() -> None:
    now = T0 + timedelta(days=8)
    plan = plan_next_check(LADDER, anchor=T0, step=5, changed=False, now=now)
    assert plan.next_at is None
    assert plan_next_check((), anchor=T0, step=0, changed=True, now=T0).next_at is None


# -- slow tail and failed checks ----------------------------------------------------------

RETRYING = Ladder(LADDER, tail=None, retries=3, retry_after=300.0)


def test_tail_keeps_checking_after_the_last_rung() -> None:
    now = T0 + timedelta(days=8)
    plan = plan_next_check(LADDER, anchor=T0, step=5, changed=False, now=now, tail=30 * 24 * H)
    assert (plan.step, plan.next_at) == (6, now + timedelta(days=30))


def test_a_failed_check_is_retried_on_its_rung_with_backoff() -> None:
    now = T0 + timedelta(hours=3, seconds=1)  # the 3h rung (step 1) failed
    waits = [plan_failed_check(RETRYING, anchor=T0, step=1, now=now, failures=n) for n in (1, 2, 3)]
    assert [p.step for p in waits] == [1, 1, 1]  # same rung
    assert [p.next_at - now for p in waits if p.next_at] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    moved_on = plan_failed_check(RETRYING, anchor=T0, step=1, now=now, failures=4)
    assert (moved_on.step, moved_on.next_at) == (2, T0 + timedelta(hours=9))


def test_a_retry_never_goes_past_the_next_rung() -> None:
    short = Ladder((60.0, 120.0), retries=3, retry_after=300.0)
    now = T0 + timedelta(seconds=61)
    plan = plan_failed_check(short, anchor=T0, step=0, now=now, failures=1)
    assert (plan.step, plan.next_at) == (1, T0 + timedelta(seconds=120))


def test_a_failure_never_ends_the_ladder() -> None:
    now = T0 + timedelta(days=7, seconds=1)  # the last rung failed, retries used up
    plan = plan_failed_check(RETRYING, anchor=T0, step=5, now=now, failures=4)
    assert plan.next_at == now + timedelta(days=7)  # the last rung's length, without a tail
    tailed = Ladder(LADDER, tail=30 * 24 * H, retries=0)
    plan = plan_failed_check(tailed, anchor=T0, step=5, now=now, failures=1)
    assert plan.next_at == now + timedelta(days=30)
    # a plain (tuple) ladder, as before, has no retries: the next rung comes
    early = T0 + timedelta(hours=3, seconds=1)
    plan = plan_failed_check(Ladder.of(LADDER), anchor=T0, step=1, now=early, failures=1)
    assert (plan.step, plan.next_at) == (2, T0 + timedelta(hours=9))
