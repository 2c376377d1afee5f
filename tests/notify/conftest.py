"""Deliverer fixtures: a store on SQLite (and PostgreSQL when asked), a settable clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.store.conftest import db_url as db_url  # SQLite, and PostgreSQL when asked
from tests.store.conftest import store as store
from tests.store.factories import at


@dataclass
class Clock:
    """The deliverer's sense of "now": moved by the test, never waited for (it starts an
    hour after the factories' captures, so the events they record are due)."""

    now: datetime = field(default_factory=lambda: at(60))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
