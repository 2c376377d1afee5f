from __future__ import annotations

from datetime import UTC, datetime, timedelta

from archiver.version.ladder import plan_next_check

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
