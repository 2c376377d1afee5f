from __future__ import annotations

import pytest

from archiver.durations import format_duration, parse_duration
from archiver.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("45", 45),
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
