"""The re-check ladder: when to look at an archived article again.

Articles change most right after publication, so they are re-fetched on a
decaying schedule measured from an *anchor* (first seen, or the last real
change, which restarts the ladder): by default 1h, 3h, 9h, 1d, 3d and 7d after
it, then never, or every ``tail`` seconds for good (``daemon.recheck_tail``) so
that late corrections are caught too. Rungs already in the past (after downtime)
are skipped, so a late check is followed by the next future rung, not a burst of
catch-up checks. A check that failed (a 404 spell, a hang) is tried again on the
same rung, ``retry_after`` seconds later and doubling, at most ``retries`` times
and never past the next rung; then the ladder moves on, and a failure never
ends it: after the last rung it waits the tail, or the last rung's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Ladder:
    """The re-check schedule's settings; a bare sequence of rungs means no tail, no retries."""

    rungs: tuple[float, ...] = ()
    tail: float | None = None  # after the last rung, check every this many seconds; None: stop
    retries: int = 0  # failed checks retried on the same rung
    retry_after: float = 300.0  # the first retry's delay (doubling)

    @classmethod
    def of(cls, value: Ladder | Sequence[float]) -> Ladder:
        return value if isinstance(value, Ladder) else cls(tuple(value))

    def __bool__(self) -> bool:
        return bool(self.rungs)


@dataclass(frozen=True, slots=True)
class CheckPlan:
    anchor: datetime  # first seen or last change
    step: int  # index of the next rung to use
    next_at: datetime | None  # None: the ladder is finished


def plan_next_check(
    ladder: Sequence[float],
    *,
    anchor: datetime,
    step: int,
    changed: bool,
    now: datetime,
    tail: float | None = None,
) -> CheckPlan:
    """Where an article stands after a check at ``now`` (``changed``: a new version)."""
    if changed:
        anchor, step = now, 0
    while step < len(ladder) and anchor + timedelta(seconds=ladder[step]) <= now:
        step += 1
    if step >= len(ladder):
        return CheckPlan(anchor, step, now + timedelta(seconds=tail) if tail else None)
    return CheckPlan(anchor, step, anchor + timedelta(seconds=ladder[step]))


def plan_failed_check(
    ladder: Ladder, *, anchor: datetime, step: int, now: datetime, failures: int
) -> CheckPlan:
    """Where an article stands after its ``failures``-th failed check in a row at ``now``."""
    rungs = ladder.rungs
    if failures <= ladder.retries:
        retry = now + timedelta(seconds=ladder.retry_after * 2.0 ** min(failures - 1, 32))
        later = [anchor + timedelta(seconds=r) for r in rungs[step + 1 :]]
        following = next((t for t in later if t > now), None)
        if following is None or retry < following:  # within this rung's span
            return CheckPlan(anchor, step, retry)
    plan = plan_next_check(
        rungs, anchor=anchor, step=step, changed=False, now=now, tail=ladder.tail
    )
    if plan.next_at is None:  # a failure never ends the ladder
        wait = ladder.tail or (rungs[-1] if rungs else ladder.retry_after)
        return CheckPlan(plan.anchor, plan.step, now + timedelta(seconds=wait))
    return plan
