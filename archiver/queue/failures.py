"""procrastinate's database errors as archiver's one-line StoreError."""

from __future__ import annotations

from procrastinate.exceptions import ConnectorException

from archiver.errors import StoreError
from archiver.store.engine import describe_db_error


def queue_error(exc: ConnectorException, doing: str) -> StoreError:
    """procrastinate's database error as archiver's one line."""
    cause = exc.__cause__ or exc
    return StoreError(f"job queue: {doing}: {describe_db_error(cause)}")
