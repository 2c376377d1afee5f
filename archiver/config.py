"""Settings: defaults < TOML file < ``ARCHIVER_*`` environment variables.

The file is ``--config PATH`` or ``$ARCHIVER_CONFIG`` if given (it must exist),
else the first of these that exists (``config_candidates``):

1. ``archiver.toml`` in the data directory (``--home``, ``$ARCHIVER_HOME``, or
   ``./archive``): an archive carries its own settings;
2. ``config/archiver.toml`` in the working directory (a checkout, a deployment);
3. ``$XDG_CONFIG_HOME/archiver/archiver.toml`` (``~/.config/archiver/...``):
   the user's settings, wherever the command runs.

Durations are strings with a unit (``"90s"``, ``"15m"``, ``"1h30m"``) or TOML
numbers of seconds; a string without a unit (``"5"``, which is what an
environment variable holds) is an error asking for one. Keys that are numbers
of seconds by type (``shutdown_grace``, ``fetch.*_timeout``) stay plain numbers.
Nested keys use ``__`` in the environment
(``ARCHIVER_FETCH__USER_AGENT``); a few common ones have short aliases
(``ARCHIVER_HOME``, ``ARCHIVER_DATABASE_URL``, ``ARCHIVER_ALLOW_PRIVATE_NETWORKS``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from archiver.durations import config_seconds
from archiver.errors import ConfigError
from archiver.notify.settings import NotifySettings
from archiver.version.ladder import Ladder
from archiver.version.shingles import NearParams

DEFAULT_CONFIG = Path("config/archiver.toml")
CONFIG_NAME = "archiver.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FetchSettings(_Section):
    user_agent: str = "archiver/0.1 (news archiver; +https://github.com/archiver/archiver)"
    concurrency: int = Field(8, ge=1, description="requests in flight across all hosts")
    per_host_delay: float = Field(1.0, ge=0, description="seconds between requests to one host")
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(30.0, gt=0, description="deadline for a whole request")
    max_body_bytes: int = Field(20 * 1024 * 1024, gt=0, description="decompressed body cap")
    max_redirects: int = Field(10, ge=0)
    allow_private_networks: bool = False
    respect_robots: bool = Field(True, description="obey robots.txt (RFC 9309)")
    robots_cache_seconds: float = Field(3600.0, gt=0, description="how long robots.txt is cached")
    robots_error_seconds: float = Field(
        600.0, gt=0, description="disallow a host this long after robots.txt gave 5xx/no answer"
    )
    robots_max_bytes: int = Field(
        500 * 1024, ge=500 * 1024, description="robots.txt bytes read (RFC 9309: >= 500 KiB)"
    )
    max_crawl_delay: float = Field(60.0, ge=0, description="cap on a site's Crawl-delay")
    max_retries: int = Field(3, ge=0, description="retries on connection errors, 429 and 5xx")
    retry_backoff: float = Field(1.0, ge=0, description="first retry delay; doubles each time")
    max_retry_after: float = Field(600.0, ge=0, description="cap on an honoured Retry-After")
    host_backoff_max: float = Field(3600.0, ge=0, description="cap on backing off a failing host")


class ExtractSettings(_Section):
    workers: int = Field(0, ge=0, description="extraction processes; 0 means one per core")
    timeout: float = Field(30.0, gt=0, description="seconds allowed to extract one page")
    templates: bool = Field(
        True, description="learn each site's repeated blocks (its template) and remove them"
    )
    template_min_pages: int = Field(
        3, ge=2, description="a block is template once seen on this many distinct articles"
    )
    template_min_share: float = Field(
        0.3, gt=0, le=1, description="...and on this share of the site's articles since"
    )


class IdentifySettings(_Section):
    canonical_partners: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "syndication partners: pages on each key's domain may name canonical URLs "
            "(also og:url, AMP) on the listed domains; other cross-site claims are ignored"
        ),
    )


def _durations(values: list[str | float]) -> list[float]:
    return [config_seconds(v) for v in values]


class DaemonSettings(_Section):
    sources_file: Path = Field(
        Path("config/sources.toml"), description="sources synced into the store at start"
    )
    recheck_ladder: list[str | float] = Field(
        ["1h", "3h", "9h", "1d", "3d", "7d"],
        description="re-check an article this long after first seen / last change",
    )
    recheck_tail: str | float | None = Field(
        None, description="after the last rung, re-check this often for good (None: stop)"
    )
    recheck_retries: int = Field(
        3, ge=0, description="a failed re-check is retried this often on its rung"
    )
    recheck_retry_after: str | float = Field(
        "5m", description="first retry of a failed re-check (doubling, within the rung)"
    )
    recheck_scan_every: str | float = Field("1m", description="how often due re-checks are run")
    recheck_batch: int = Field(100, ge=1, description="re-checks started per scan at most")
    reload_every: str | float = Field("30s", description="how often source edits are picked up")
    misfire_grace: str | float = Field("7d", description="a late poll still runs within this")
    timeout_retry_after: str | float = Field(
        "10m", description="an article URL whose server hung is tried once more this much later"
    )
    shutdown_grace: float = Field(5.0, gt=0, description="seconds in-flight work gets at exit")
    queue: Literal["inline", "procrastinate"] = Field(
        "inline",
        description="inline: `archiver run` does the work; procrastinate: it defers jobs to "
        "`archiver worker` processes through PostgreSQL (see archiver.queue)",
    )
    job_retries: int = Field(3, ge=0, description="a job that fails is retried this often")
    job_retry_after: str | float = Field(
        "1m", description="first retry of a failed job (doubling with each retry)"
    )
    worker_heartbeat: float = Field(10.0, gt=0, description="seconds between worker heartbeats")
    stalled_after: float = Field(
        60.0, gt=0, description="a worker silent this long is dead: its running jobs are retried"
    )
    stalled_check_every: int = Field(
        30, ge=1, le=59, description="seconds between checks for stalled jobs (divides a minute)"
    )

    @field_validator("recheck_ladder")
    @classmethod
    def _check_ladder(cls, value: list[str | float]) -> list[str | float]:
        seconds = _durations(value)
        if seconds != sorted(seconds):
            raise ValueError("recheck_ladder must be increasing")
        return value

    @field_validator(
        "recheck_scan_every", "reload_every", "misfire_grace", "timeout_retry_after",
        "recheck_retry_after", "job_retry_after",
    )  # fmt: skip
    @classmethod
    def _check_duration(cls, value: str | float) -> str | float:
        config_seconds(value)
        return value

    @field_validator("recheck_tail")
    @classmethod
    def _check_tail(cls, value: str | float | None) -> str | float | None:
        if value is not None:
            config_seconds(value)
        return value

    @property
    def ladder_seconds(self) -> tuple[float, ...]:
        return tuple(_durations(self.recheck_ladder))

    @property
    def ladder(self) -> Ladder:
        """The re-check schedule: rungs, slow tail and retries of failed checks."""
        tail = None if self.recheck_tail is None else config_seconds(self.recheck_tail)
        return Ladder(
            self.ladder_seconds, tail, self.recheck_retries, self.seconds("recheck_retry_after")
        )

    def seconds(self, name: str) -> float:
        return config_seconds(getattr(self, name))


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="address `archiver serve` listens on")
    port: int = Field(8000, ge=0, le=65535, description="port `archiver serve` listens on")
    token: str | None = Field(
        None,
        min_length=16,
        description="secret for the state-changing web routes; unset: they are disabled",
    )


class ClusterSettings(_Section):
    """Syndication clusters: near duplicates across sites (``archiver.version.shingles``)."""

    enabled: bool = Field(True, description="sign each article's text at ingest (MinHash)")
    threshold: float = Field(
        0.8, gt=0, lt=1, description="estimated Jaccard similarity of near duplicates"
    )
    shingle: int = Field(5, ge=1, le=20, description="words per shingle")
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash permutations")
    min_words: int = Field(50, ge=1, description="shorter texts get no signature")

    @property
    def params(self) -> NearParams:
        return NearParams(
            self.threshold, self.shingle, self.num_perm, self.min_words, enabled=self.enabled
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARCHIVER_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    home: Path = Path("archive")
    database_url: str | None = None
    allow_private_networks: bool | None = Field(
        None, description="shortcut for fetch.allow_private_networks"
    )
    fetch: FetchSettings = FetchSettings()
    extract: ExtractSettings = ExtractSettings()
    identify: IdentifySettings = IdentifySettings()
    daemon: DaemonSettings = DaemonSettings()
    log: LogSettings = LogSettings()
    web: WebSettings = WebSettings()
    clusters: ClusterSettings = ClusterSettings()
    notify: NotifySettings = NotifySettings()  # webhooks (archiver.notify)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init kwargs; the environment wins over them.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _apply_shortcuts(self) -> Settings:
        if self.allow_private_networks is not None:
            self.fetch.allow_private_networks = self.allow_private_networks
        return self

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home.resolve() / 'archiver.db'}"

    def ensure_home(self) -> Path:
        """Create the data directory on first use and return it."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create data directory {self.home}: {exc.strerror}") from exc
        return self.home


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{where}'"
    if where.startswith("notify.webhook") and ".events" not in where:
        return f"key '{where}': {error['msg']}"  # the input may hold a secret, or a URL's token
    return f"key '{where}': {error['msg']} (got {error.get('input')!r})"


def config_candidates(home: Path | None = None) -> list[Path]:
    """Where a config file is looked for when none is named, first found wins (see above)."""
    default: Path = Settings.model_fields["home"].default
    data_dir = home or Path(os.environ.get("ARCHIVER_HOME") or default)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    try:
        user = Path(xdg) if xdg else Path.home() / ".config"
    except RuntimeError:  # no home directory to speak of
        return [data_dir / CONFIG_NAME, DEFAULT_CONFIG]
    return [data_dir / CONFIG_NAME, DEFAULT_CONFIG, user / "archiver" / CONFIG_NAME]


def find_config(config_path: Path | None = None, home: Path | None = None) -> Path | None:
    """The config file to read: the one named (``--config``, ``$ARCHIVER_CONFIG``), else the
    first of ``config_candidates`` that exists, else None (defaults and environment only)."""
    if config_path is not None:
        return config_path
    if os.environ.get("ARCHIVER_CONFIG"):
        return Path(os.environ["ARCHIVER_CONFIG"])
    return next((path for path in config_candidates(home) if path.is_file()), None)


def load_settings(config_path: Path | None = None, *, home: Path | None = None) -> Settings:
    """Load settings from the config file (if any) and the environment.

    ``home`` (``--home``) is the data directory, winning over ``$ARCHIVER_HOME``
    and the file; the data directory's own ``archiver.toml`` is looked for there.
    """
    path = find_config(config_path, home)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: config file not found") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    source = str(path) if path else "environment"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        details = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{source}: {details}") from exc
    if home is not None:
        settings.home = home
    if settings.daemon.queue == "procrastinate" and not settings.db_url.startswith("postgresql"):
        raise ConfigError(
            f'{source}: daemon.queue = "procrastinate" needs a PostgreSQL database_url '
            f"(got {settings.db_url.split(':')[0]}); SQLite runs the inline queue only"
        )
    return settings
