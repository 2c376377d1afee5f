"""Validated source specifications, shared by the CLI and config/sources.toml."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from archiver.durations import parse_duration
from archiver.errors import InputError
from archiver.identify import normalize_url, site_of
from archiver.records.articles import SOURCE_KINDS, SourceSpec
from archiver.sources import compile_filter

KINDS = SOURCE_KINDS
MIN_EVERY_SECONDS = 1.0


def cron_trigger(expression: str) -> CronTrigger:
    """A UTC cron trigger from a 5-field crontab expression, or InputError."""
    try:
        return CronTrigger.from_crontab(expression, timezone="UTC")
    except (ValueError, TypeError) as exc:
        raise InputError(f"--cron: invalid cron expression {expression!r}: {exc}") from exc


def make_spec(
    url: str,
    *,
    kind: str,
    name: str | None = None,
    every: str | float | None = None,
    cron: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    paused: bool = False,
) -> SourceSpec:
    """Check everything a person typed about a source; raise InputError on the first problem."""
    if kind not in KINDS:
        raise InputError(f"--kind: must be one of {', '.join(KINDS)} (got {kind!r})")
    normalized = normalize_url(url)
    if (every is None) == (cron is None):
        raise InputError("give exactly one schedule: --every DURATION or --cron EXPRESSION")
    every_seconds = None
    if every is not None:
        every_seconds = float(every) if isinstance(every, int | float) else parse_duration(every)
        if every_seconds < MIN_EVERY_SECONDS:
            raise InputError(f"--every: at least {MIN_EVERY_SECONDS:g}s (got {every!r})")
    if cron is not None:
        cron_trigger(cron)
    compile_filter(include, option="--include")
    compile_filter(exclude, option="--exclude")
    chosen = (name if name is not None else site_of(normalized)).strip()
    if not chosen or any(c.isspace() for c in chosen):
        raise InputError(f"--name: a source name is one word without spaces (got {chosen!r})")
    return SourceSpec(
        name=chosen,
        kind=kind,
        url=normalized,
        every_seconds=every_seconds,
        cron=cron,
        include=include,
        exclude=exclude,
        paused=paused,
    )
