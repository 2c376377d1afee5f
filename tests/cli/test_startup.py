"""Read commands import only what they need (issue 10, start-up): not the archive step,
the extractor, the fetcher, the daemon, the web server, nor Alembic on a current schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archiver.store import Store

HEAVY = (
    "trafilatura", "alembic", "httpx", "archiver.archive", "archiver.daemon",
    "archiver.extract.page", "uvicorn", "starlette", "procrastinate", "datasketch",
)  # fmt: skip


@pytest.mark.parametrize("command", [["status"], ["list"], ["search", "summit"], ["show", "1"]])
def test_a_read_command_loads_nothing_heavy(archiver_env: Path, command: list[str]) -> None:
    Store(f"sqlite:///{archiver_env / 'archiver.db'}").close()  # an archive at the current schema
    probe = (
        "import sys\n"
        "from archiver.cli import main\n"
        "try:\n"
        f"    main({command!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr
