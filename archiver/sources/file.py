"""``config/sources.toml``: sources declared in a file, synced into the store at start.

::

    [[source]]
    name = "example-world"                 # unique; defaults to the URL's host
    kind = "feed"                          # feed | sitemap | page | url
    url = "https://example.com/world/rss.xml"
    every = "15m"                          # or: cron = "*/10 * * * *"
    include = "/world/"                    # optional regular expressions
    exclude = "/video/"
    paused = false
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from archiver.errors import ConfigError, InputError
from archiver.records.articles import SourceSpec
from archiver.sources.specs import make_spec

_KEYS = {"name", "kind", "url", "every", "cron", "include", "exclude", "paused"}
_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "kind": (str,), "url": (str,), "every": (str, int, float), "cron": (str,),
    "include": (str,), "exclude": (str,), "paused": (bool,),
}  # fmt: skip


def _entry(path: Path, index: int, raw: Any) -> SourceSpec:
    where = f"{path}: source[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}'")
    for key, value in raw.items():
        if not isinstance(value, _TYPES[key]):
            expected = " or ".join(t.__name__ for t in _TYPES[key])
            raise ConfigError(f"{where}.{key}: expected {expected}, got {type(value).__name__}")
    for key in ("kind", "url"):
        if key not in raw:
            raise ConfigError(f"{where}: missing key '{key}'")
    try:
        return make_spec(
            raw["url"],
            kind=raw["kind"],
            name=raw.get("name"),
            every=raw.get("every"),
            cron=raw.get("cron"),
            include=raw.get("include"),
            exclude=raw.get("exclude"),
            paused=raw.get("paused", False),
        )
    except InputError as exc:
        raise ConfigError(f"{where}: {str(exc).replace('--', '')}") from exc


def load_sources_file(path: Path) -> list[SourceSpec]:
    """The sources a file declares; [] when the file does not exist. ConfigError if invalid."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    extra = sorted(set(data) - {"source"})
    if extra:
        raise ConfigError(f"{path}: unknown key '{extra[0]}' (sources are [[source]] tables)")
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'source' must be an array of tables ([[source]])")
    specs = [_entry(path, i, raw) for i, raw in enumerate(entries)]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{path}: source name '{dupes[0]}' is declared twice")
    return specs
