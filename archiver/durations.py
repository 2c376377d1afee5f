"""Durations as people write them: ``90s``, ``15m``, ``3h``, ``1d``, ``1h30m``."""

from __future__ import annotations

import re

from archiver.errors import InputError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_duration(text: str) -> float:
    """Seconds in ``text``. Raises InputError.

    A bare number is refused everywhere ("5": five seconds or five minutes?),
    on the command line, in config files and in the environment alike; a
    TOML *number* in a duration key is seconds (``archiver.config``).
    """
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        raise InputError(
            f"not a duration: {text!r} has no unit: did you mean {raw}m? (or {raw}s, {raw}h)"
        )
    parts = _PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise InputError(f"not a duration: {text!r} (use e.g. 30s, 15m, 2h, 1d)")
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise InputError(f"duration must be positive: {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration (``90`` -> ``1m30s``)."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    left, out = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            out.append(f"{left // size}{unit}")
            left %= size
    return "".join(out) or "0s"


def config_seconds(value: str | float) -> float:
    """A duration key of the configuration in seconds: a string with a unit, or a TOML
    number (seconds). ValueError when bad: pydantic reports it with the key's location."""
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError(f"duration must be positive: {value!r}")
        return float(value)
    try:
        return parse_duration(value)
    except InputError as exc:
        raise ValueError(str(exc)) from exc
