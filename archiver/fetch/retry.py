"""When a failed request is worth another try, and how long to wait first.

Connection errors, 429 and the transient 5xx statuses are retried
with exponential backoff (``retry_backoff * 2**attempt`` plus a little jitter,
so that many clients failing together do not come back together). A
``Retry-After`` header (seconds or an HTTP-date) is honoured when it is within
``max_retry_after``; a longer one means "not now", so the response is returned
as it is rather than waited for. A timeout is not retried here: a server that
hangs once usually hangs again, and each try would cost a whole deadline.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from archiver.config import FetchSettings
from archiver.errors import FetchError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
JITTER = 0.1  # a retry waits up to this fraction longer than its backoff


class Retryable(Exception):
    """An attempt failed in a way worth retrying (refused, reset, no answer in time).

    Internal to the fetch stage: the Fetcher retries or raises ``error``, so
    this never reaches callers. ``later`` marks a hang (nothing arrived within
    a deadline): trying again at once would cost the caller another whole
    deadline, so the Fetcher raises it at once and leaves a later try to the
    caller (the daemon retries such a URL once, in the background).
    """

    def __init__(self, error: FetchError, *, later: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.later = later


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the ``Retry-After`` header asks for, or None if absent or unreadable."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int
    backoff: float
    max_retry_after: float

    @classmethod
    def from_settings(cls, settings: FetchSettings) -> RetryPolicy:
        return cls(settings.max_retries, settings.retry_backoff, settings.max_retry_after)

    def wait(self, attempt: int, asked: float | None = None) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up.

        ``attempt`` counts from 0 (the first request); ``asked`` is the
        server's ``Retry-After``, if it sent one.
        """
        if attempt >= self.max_retries:
            return None
        if asked is not None and asked > self.max_retry_after:
            return None
        delay = self.backoff * 2.0 ** min(attempt, 64)
        delay += delay * random.uniform(0.0, JITTER)  # noqa: S311 - jitter, not cryptography
        return max(delay, asked or 0.0)
