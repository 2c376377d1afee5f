"""Logging setup: one line per notable event, as text or JSON."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from archiver.config import LogSettings


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _SecondaryErrors(logging.Filter):
    """Drops psycopg's "error ignored terminating <Pipeline>": it follows a lost
    connection that the store already retries or reports in its own words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("error ignored terminating")


def setup_logging(settings: LogSettings, *, debug: bool = False, quiet: bool = False) -> None:
    """Send archiver's logs to stderr in the configured format.

    ``quiet`` (one-shot CLI commands) shows warnings only: their results are
    printed by the command itself, and the daemon is the one that narrates.
    """
    handler = logging.StreamHandler(sys.stderr)
    if settings.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger("archiver")
    root.handlers[:] = [handler]
    root.setLevel("DEBUG" if debug else ("WARNING" if quiet else settings.level))
    root.propagate = False
    # The database driver's warnings go through the same handler, in the same format.
    driver = logging.getLogger("psycopg")
    driver.handlers[:] = [handler]
    driver.filters[:] = [] if debug else [_SecondaryErrors()]
    driver.setLevel("DEBUG" if debug else "WARNING")
    driver.propagate = False
