"""``archiver serve``: the web UI and JSON API (``run --serve`` adds them to the daemon)."""

from __future__ import annotations

import asyncio

import click

from archiver.cli.app import AppContext, cli, pass_app

host_option = click.option("--host", help="Address to listen on (default: web.host, 127.0.0.1).")
port_option = click.option(
    "--port", type=click.IntRange(0, 65535), help="Port to listen on (default: web.port, 8000)."
)


def listen_on(app: AppContext, host: str | None, port: int | None) -> tuple[str, int]:
    web = app.settings.web
    return host or web.host, web.port if port is None else port


@cli.command()
@host_option
@port_option
@pass_app
def serve(app: AppContext, host: str | None, port: int | None) -> None:
    """Serve the web UI and JSON API until SIGINT/SIGTERM."""
    from archiver.web.server import bind, serve_until_stopped  # starlette only when serving

    sock = bind(*listen_on(app, host, port))
    asyncio.run(serve_until_stopped(app.settings, sock))
