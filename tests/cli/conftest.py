"""Run the real CLI in-process (same code path as the console script)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from archiver.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def json(self) -> dict[str, Any]:
        rows = self.json_lines()
        assert len(rows) == 1, self.out
        return rows[0]


@pytest.fixture
def cli(archiver_env: object, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
