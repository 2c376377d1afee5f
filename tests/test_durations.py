from __future__ import annotations

from typing import Any

import pytest

from archiver.durations import format_duration, parse_duration
from archiver.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400),
     ("0.5s", 0.5), (" 10M ", 600)],
)  # fmt: skip
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10 minutes", "1w", "m5", "0s", "-5s", "5s5"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for seconds in (1, 59, 60, 90, 3600, 5400, 86400, 90061):
        assert parse_duration(format_duration(seconds)) == seconds
    assert format_duration(0.5) == "0.5s"


def test_a_bare_number_asks_for_a_unit() -> None:
    with pytest.raises(InputError, match=r"not a duration: '5' has no unit: did you mean 5m\?"):
        parse_duration("5")
    with pytest.raises(InputError, match=r"did you mean 0\.5m\?"):
        parse_duration(" 0.5 ")  # configuration files and the environment too (archiver.config)


def test_cli_every_without_a_unit_is_one_error_line(cli: Any) -> None:
    run = cli("source", "add", "https://example.com/feed", "--kind", "feed", "--every", "5")
    assert run.code == 2
    assert "did you mean 5m?" in run.one_error_line()
