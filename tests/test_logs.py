"""``setup_logging``: archiver's and its libraries' loggers share one handler and format."""

from __future__ import annotations

import json
import logging
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.config import LogSettings
from archiver.logs import setup_logging

LIBRARIES = ("apscheduler", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access",
             "psycopg", "procrastinate")  # fmt: skip
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) +(?P<logger>\S+): "
                       r"(?P<message>.*)$")  # fmt: skip


@pytest.fixture(autouse=True)
def restored_loggers() -> Iterator[None]:
    """Put every logger setup_logging touches back as it was (other tests use caplog)."""
    names = ("archiver", *LIBRARIES)
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.filters[:], logger.level, logger.propagate)
    yield
    for name, (handlers, filters, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate


class Seen(logging.Handler):
    """Records whatever reaches the root logger (nothing should)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_seen() -> Iterator[Seen]:
    seen = Seen()
    logging.getLogger().addHandler(seen)
    yield seen
    logging.getLogger().removeHandler(seen)


def emit_from_libraries() -> None:
    logging.getLogger("apscheduler.scheduler").info("Added job")  # per job run: dropped
    logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
    logging.getLogger("httpx").info("HTTP Request: GET http://x/ 200")  # per request: dropped
    logging.getLogger("httpx").warning("httpx warns")
    logging.getLogger("httpcore.http11").debug("send_request_headers.started")  # dropped
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("uvicorn.error").error("uvicorn fails")
    logging.getLogger("psycopg").warning("error ignored terminating <Pipeline>")  # filtered
    logging.getLogger("archiver.daemon").info("daemon started")


EXPECTED = [
    ("warning", "apscheduler.executors.default", "Run time of job was missed"),
    ("warning", "httpx", "httpx warns"),
    ("info", "uvicorn.error", "Application startup complete."),
    ("error", "uvicorn.error", "uvicorn fails"),
    ("info", "archiver.daemon", "daemon started"),
]


def test_json_mode_routes_library_loggers_through_archivers_handler(
    capsys: pytest.CaptureFixture[str], root_seen: Seen
) -> None:
    setup_logging(LogSettings(format="json"))
    setup_logging(LogSettings(format="json"))  # again (a second CLI run): still one handler
    capsys.readouterr()
    emit_from_libraries()

    lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["level"], r["logger"], r["message"]) for r in records] == EXPECTED
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", r["time"]) for r in records)
    assert root_seen.records == []  # nothing propagates to the root logger
    for name in ("archiver", *LIBRARIES):
        logger = logging.getLogger(name)
        assert logger.propagate is False and len(logger.handlers) == 1, name


def test_text_mode_uses_the_text_format(
    capsys: pytest.CaptureFixture[str], root_seen: Seen
) -> None:
    setup_logging(LogSettings(format="text"))
    capsys.readouterr()
    emit_from_libraries()

    lines = capsys.readouterr().err.splitlines()
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["level"].lower(), m["logger"], m["message"]) for m in parsed if m] == EXPECTED
    assert root_seen.records == []


def test_debug_shows_library_debug_lines(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(LogSettings(format="json"), debug=True)
    capsys.readouterr()
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("httpcore.http11").debug("send_request_headers.started")
    logging.getLogger("psycopg").warning("error ignored terminating <Pipeline>")

    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["logger"] for r in records] == ["apscheduler.scheduler", "httpcore.http11",
                                              "psycopg"]  # fmt: skip


def test_quiet_commands_show_library_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(LogSettings(format="json"), quiet=True)
    capsys.readouterr()
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("archiver.daemon").info("daemon started")
    logging.getLogger("httpx").warning("httpx warns")

    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["message"] for r in records] == ["httpx warns"]


def test_an_exception_stays_on_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(LogSettings(format="json"))
    capsys.readouterr()
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("apscheduler.executors.default").exception("Job raised an exception")

    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["message"] == "Job raised an exception"
    assert "ValueError: broken" in record["exception"]


def test_serve_logs_uvicorn_lines_as_json(archiver_env: Path) -> None:
    """``archiver serve``: uvicorn's own lines come out in archiver's JSON, not its format."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver", "--log-format", "json", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in proc.stderr or ():
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        while not any("web UI and API on" in line for line in seen):
            line = lines.get(timeout=60)
            assert line is not None, "".join(seen)
            seen.append(line)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        while (line := lines.get(timeout=10)) is not None:
            seen.append(line)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()

    records = [json.loads(line) for line in seen]  # every line is JSON
    uvicorn = [r["message"] for r in records if r["logger"].startswith("uvicorn")]
    assert "Application startup complete." in uvicorn
    assert "Application shutdown complete." in uvicorn
    assert "Traceback" not in "".join(seen)
