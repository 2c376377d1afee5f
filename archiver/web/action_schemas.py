"""The API's shapes of the sources page's actions and of an article's "check now"
(``api_actions.py``). Kept beside ``schemas.py``: same base model, same rules; the
keys of a poll are those of ``archiver source run --json``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from archiver.web.schemas import Query, Shape, SkippedLink


class SourceName(Query):
    name: str = Field(min_length=1, description="Source name.")


class NewSchedule(Shape):
    """A source's new schedule: ``every`` or ``cron`` (exactly one), checked like
    ``archiver source add``."""

    every: str | Annotated[float, Field(ge=1, allow_inf_nan=False, strict=True)] | None = Field(
        None, description="30s, 15m, 2h, 1d, or seconds."
    )
    cron: str | None = Field(None, description="A 5-field crontab expression (UTC).")


class FailedURL(Shape):
    url: str
    error: str


class Poll(Shape):
    """What polling the source once did (like ``archiver source run --json``)."""

    source: str
    found: int = Field(description="Candidate article URLs in the source document(s).")
    new: int
    failed: int
    unchanged: bool = Field(description="The source document was unchanged (304, same bytes).")
    error: str | None
    warnings: list[str]
    failures: list[FailedURL]
    skipped: list[SkippedLink]


class PollFailure(Poll):
    """The poll as a whole failed (the source document could not be read)."""

    error: str
    status: int
