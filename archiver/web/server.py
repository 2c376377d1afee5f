"""Run the web app with uvicorn inside an event loop that someone else owns.

uvicorn's ``Server.serve`` normally takes over SIGINT/SIGTERM; here the caller
decides when to stop (``archiver serve`` on a signal, ``archiver run --serve``
when the daemon stops), so the server only watches ``should_exit``. The
listening socket is bound before anything starts, so a taken port is a clear
error up front instead of a failure in the middle of start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from archiver.config import Settings
from archiver.daemon import Daemon
from archiver.errors import ArchiverError, ConfigError
from archiver.web.app import create_app

log = logging.getLogger("archiver.web")
SHUTDOWN_GRACE = 5  # seconds open requests get at exit


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the caller owns the signals and sets should_exit


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port); ConfigError if that is impossible."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@asynccontextmanager
async def serving(app: ASGIApp, sock: socket.socket) -> AsyncIterator[uvicorn.Server]:
    """Serve ``app`` on ``sock`` until the block ends (then finish open requests)."""
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # uvicorn's own start-up flag
        if task.done():
            task.result()
            raise ArchiverError("the web server did not start (see the log above)")
        await asyncio.sleep(0.01)
    log.info("web UI and API on %s", address(sock))
    try:
        yield server
    finally:
        server.should_exit = True
        await task


async def serve_until_stopped(
    settings: Settings, sock: socket.socket, stop: asyncio.Event | None = None
) -> None:
    """``archiver serve``: the app with its own services, until SIGINT/SIGTERM or ``stop``."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with serving(create_app(settings), sock):
            await stop.wait()
            log.info("web server stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        sock.close()


def alongside_daemon(
    settings: Settings, sock: socket.socket
) -> Callable[[Daemon], AbstractAsyncContextManager[object]]:
    """For ``run_daemon(alongside=...)``: serve the app on the daemon's own services."""

    def start(daemon: Daemon) -> AbstractAsyncContextManager[object]:
        return serving(create_app(settings, services=daemon.services), sock)

    return start
