"""The ``archiver`` command group and what every command shares."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archiver import __version__
from archiver.browse_json import dumps
from archiver.config import Settings, load_settings
from archiver.errors import ArchiverError, InputError, InternalError, NotFoundError
from archiver.identify import normalize_url
from archiver.logs import setup_logging
from archiver.records.articles import ArticleView

if TYPE_CHECKING:
    from rich.progress import Progress

    from archiver.store import Store

CREATES_ARCHIVE = frozenset({"add", "run", "migrate", "worker", "source add", "source run"})
"""The commands that may start an archive where there is none; every other command
(``status``, ``list``, ``show``, ``search``, ``export``, ``source pause``...) needs one."""


def _command_name() -> str:
    """The running (sub)command without the program name: ``source add``."""
    ctx, names = click.get_current_context(silent=True), []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def missing_archive(settings: Settings) -> str | None:
    """Why there is no archive where ``settings`` point (None: there is one, or it is a
    server database, which is never created by archiver itself)."""
    from sqlalchemy.engine import make_url  # here: read commands of a missing archive stop early

    url = make_url(settings.db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if Path(url.database).is_file():
        return None
    where = (
        f"no archive at {settings.home.resolve()} (no {Path(url.database).name} there)"
        if not settings.database_url
        else f"no archive at {settings.database_url} (no such file)"
    )
    return (
        f"{where}: point at one with --home DIR or ARCHIVER_HOME=DIR"
        f"{' (or ARCHIVER_DATABASE_URL)' if settings.database_url else ''}, "
        "or start one with `archiver add URL`"
    )


@dataclass
class AppContext:
    settings: Settings
    debug: bool

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The archive, opened (and its schema upgraded). Only ``CREATES_ARCHIVE`` commands
        create it; any other stops with NotFoundError where there is none."""
        if _command_name() in CREATES_ARCHIVE:
            self.settings.ensure_home()
        elif (why := missing_archive(self.settings)) is not None:
            raise NotFoundError(why)
        from archiver.store import Store  # the store's imports cost 0.4 s: only when opened

        store = Store(self.settings.db_url, clusters=self.settings.clusters.params)
        try:
            yield store
        finally:
            store.close()


pass_app = click.make_pass_decorator(AppContext)


def exit_code(error: BaseException | type[BaseException]) -> int:
    """The exit status for an error: 2 for bad input (a usage error), 1 for a failure."""
    kind = error if isinstance(error, type) else type(error)
    return 2 if issubclass(kind, InputError) else 1


def parse_ref(ref: str) -> int | str:
    """An article reference as an id or a normalized URL (InputError: neither); checked
    before the archive is opened, so a usage error is one wherever the command runs."""
    if ref.isdigit():
        return int(ref)
    try:
        return normalize_url(ref)
    except InputError as exc:
        raise InputError(f"not an article id or URL: {ref!r}") from exc


def article_ref(store: Store, ref: str) -> ArticleView:
    """Find an article by numeric id or by any URL that reached it."""
    return store.article(parse_ref(ref))


COLOR_CHOICES = ("auto", "always", "never")
color_option = click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help="Colour the output (auto: when stdout is a terminal and NO_COLOR is not set).",
)


def use_color(choice: str = "auto") -> bool:
    """``--color``: always, never, or auto: only on a terminal, and not when NO_COLOR is
    set to something (https://no-color.org: an empty NO_COLOR counts as unset)."""
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
jsonl_option = click.option(
    "--jsonl", is_flag=True, help="Print one JSON object per line (instead of one array)."
)


def echo_rows(rows: Iterable[dict[str, Any]], *, jsonl: bool) -> None:
    """A list as JSON: one array (``--json``), or one object per line (``--jsonl``)."""
    if jsonl:
        for row in rows:
            click.echo(dumps(row))
    else:
        click.echo(dumps(list(rows)))


progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: only on a terminal).",
)


def want_progress(flag: bool | None, many: bool = True) -> bool:
    return flag if flag is not None else (many and sys.stderr.isatty())


def progress_bar(label: str) -> Progress:
    """A progress bar on stderr (drawn even when stderr is not a terminal: asked for)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, force_terminal=True),
        transient=True,
    )


LOUD = ("run", "serve", "worker")  # long-running commands: INFO logs on stderr
EXPECTED = (ArchiverError, click.ClickException, click.exceptions.Exit, click.exceptions.Abort)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


COMMANDS = {
    "add": "archive_cmds",
    "extract": "archive_cmds",
    "run": "archive_cmds",
    "captures": "capture_cmds",
    "export": "export_cmds",
    "show": "read_cmds",
    "history": "read_cmds",
    "diff": "read_cmds",
    "list": "read_cmds",
    "search": "read_cmds",
    "reextract": "reextract_cmds",
    "source": "source_cmds",
    "status": "source_cmds",
    "serve": "web_cmds",
    "migrate": "worker_cmds",
    "worker": "worker_cmds",
}
"""Each command and the module of ``archiver.cli`` that defines it. A command's module is
imported when the command runs (or help lists them all): ``archiver status`` does not load
the daemon, the web server or the exporters."""


class ArchiverGroup(click.Group):
    """The command group: commands load on demand (``COMMANDS``), and an unexpected
    exception becomes one InternalError line.

    ``main`` (``archiver.cli``) prints an ArchiverError as one line and exits;
    anything else escaping a command (a bug, or an OS failure no layer turned
    into an ArchiverError) is wrapped here so it does too, with exit code 1.
    Under ``--debug`` the original exception propagates with its traceback.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"archiver.cli.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(COMMANDS.values()):
            importlib.import_module(f"archiver.cli.{module}")
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED:
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            what = _one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            raise InternalError(
                f"unexpected error ({what}); rerun with --debug for the traceback"
            ) from exc


@click.group(cls=ArchiverGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $ARCHIVER_CONFIG, else the first found of DIR/archiver.toml, "
    "config/archiver.toml, $XDG_CONFIG_HOME/archiver/archiver.toml).",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="The archive's data directory DIR (default: $ARCHIVER_HOME, else ./archive).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log line format (default from config: text).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    home: Path | None,
    debug: bool,
    log_format: str | None,
) -> None:
    """archiver: archive news articles as clean, deduplicated, versioned text."""
    settings = load_settings(config_path, home=home)
    if log_format is not None:
        settings.log.format = "json" if log_format == "json" else "text"
    setup_logging(settings.log, debug=debug, quiet=ctx.invoked_subcommand not in LOUD)
    ctx.obj = AppContext(settings=settings, debug=debug)
