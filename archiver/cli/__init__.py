"""Command-line interface: ``archiver COMMAND``.

``main`` turns every expected failure into one line on stderr and an exit
code (2 for usage errors, 1 for failures); ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import sys

import click

from archiver.cli.app import cli, exit_code  # commands load when run (app.COMMANDS)
from archiver.errors import ArchiverError


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="archiver", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("archiver: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        if debug:
            raise
        click.echo(f"archiver: usage error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ArchiverError as exc:
        if debug:
            raise
        click.echo(f"archiver: error: {exc}", err=True)
        sys.exit(exit_code(exc))
    except KeyboardInterrupt:
        click.echo("archiver: interrupted", err=True)
        sys.exit(130)
