"""Logging setup: one line per notable event, as text or JSON.

archiver's own loggers and those of the libraries it runs (apscheduler, httpx,
httpcore, uvicorn, psycopg, procrastinate) share one stderr handler, so every line comes out
in the configured format; none of them propagates to the root logger (whose
last-resort handler would print bare messages). Libraries are quieter than
archiver: apscheduler, httpx, httpcore, psycopg and procrastinate show warnings only, and
uvicorn its start-up and errors, unless ``--debug``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from archiver.config import LogSettings

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Libraries whose INFO lines are per request or per job run: warnings only unless debugging.
CHATTY = ("apscheduler", "httpx", "httpcore", "psycopg", "procrastinate")
# uvicorn: start-up, shutdown and errors at archiver's level; access lines as the server decides
# (``archiver.web.server`` turns them off).
SERVER = ("uvicorn", "uvicorn.error", "uvicorn.access")


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
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _SecondaryErrors(logging.Filter):
    """Drops psycopg's "error ignored terminating <Pipeline>": it follows a lost
    connection that the store already retries or reports in its own words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("error ignored terminating")


def _route(name: str, handler: logging.Handler, level: int) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.filters[:] = []
    logger.setLevel(level)
    logger.propagate = False
    return logger


def setup_logging(settings: LogSettings, *, debug: bool = False, quiet: bool = False) -> None:
    """Send archiver's logs, and its libraries', to stderr in the configured format.

    ``quiet`` (one-shot CLI commands) shows warnings only: their results are
    printed by the command itself, and the daemon is the one that narrates.
    Calling it again replaces the previous setup (one handler, never two).
    """
    handler = logging.StreamHandler(sys.stderr)
    if settings.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    level = logging.getLevelNamesMapping()[settings.level]
    if debug or quiet:
        level = logging.DEBUG if debug else logging.WARNING
    _route("archiver", handler, level)
    library_level = level if debug else max(logging.WARNING, level)
    for name in CHATTY:
        _route(name, handler, library_level)
    for name in SERVER:
        _route(name, handler, level)
    if not debug:  # the database driver's echo of a failure the store reports itself
        logging.getLogger("psycopg").addFilter(_SecondaryErrors())
