"""The re-check ladder: when to look at an archived article again.

Articles change most right after publication, so they are re-fetched on a
decaying schedule measured from an *anchor* (first seen, or the last real
change, which restarts the ladder): by default 1h, 3h, 9h, 1d, 3d and 7d after
it, then never. Rungs already in the past (after downtime) are skipped, so a
late check is followed by the next future rung, not a burst of catch-up checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class CheckPlan:
    anchor: datetime  # first seen or last change
    step: int  # index of the next rung to use
    next_at: datetime | None  # None: the ladder is finished


def plan_next_check(
    ladder: Sequence[float], *, anchor: datetime, step: int, changed: bool, now: datetime
) -> CheckPlan:
    """Where an article stands after a check at ``now`` (``changed``: a new version)."""
    if changed:
        anchor, step = now, 0
    while step < len(ladder) and anchor + timedelta(seconds=ladder[step]) <= now:
        step += 1
    if step >= len(ladder):
        return CheckPlan(anchor, step, None)
    return CheckPlan(anchor, step, anchor + timedelta(seconds=ladder[step]))
