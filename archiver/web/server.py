"""Run the web app with uvicorn inside an event loop that someone else owns.

uvicorn's ``Server.serve`` normally takes over SIGINT/SIGTERM; here the caller
decides when to stop (``archiver serve`` on a signal, ``archiver run --serve``
when the daemon stops), so the server only watches ``should_exit``. The
listening socket is bound before anything starts, so a taken port is a clear
error up front instead of a failure in the middle of start-up.

uvicorn runs with ``Limits`` (and its h11 protocol, extended here): a client
has ``request_timeout`` seconds to send a whole request (head and body) from
connecting or from the end of the previous response, wherever it stops
sending; idle keep-alive connections close after ``keep_alive`` seconds; a
request head still incomplete past ``max_head_bytes`` is refused (400); beyond
``max_connections`` open connections requests get a 503. uvicorn's own answers (400 to a malformed
request, that 503) carry the same security headers as the app's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from archiver.config import Settings
from archiver.daemon import Daemon
from archiver.errors import ArchiverError, ConfigError
from archiver.web.app import create_app
from archiver.web.security import HEADERS

log = logging.getLogger("archiver.web")
SHUTDOWN_GRACE = 5  # seconds open requests get at exit


@dataclass(frozen=True, slots=True)
class Limits:
    """What clients may hold of the server (README, *Behind a reverse proxy*)."""

    request_timeout: float = 10.0  # seconds to send one whole request, head and body
    keep_alive: int = 5  # seconds an idle connection stays open between requests
    max_connections: int = 100  # open connections served at once; requests beyond: 503
    max_head_bytes: int = 16 * 1024  # a request head still incomplete past this: 400


SECURITY_HEADERS = [(k.encode(), v.encode()) for k, v in HEADERS.items()]


async def _busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer beyond ``max_connections`` (JSON under /api/, like every API error)."""
    if scope.get("path", "").startswith("/api/"):
        body, kind = json.dumps({"error": "Too busy: retry shortly.", "status": 503}), "json"
    else:
        body, kind = "Too busy: retry shortly.", "plain; charset=utf-8"
    headers = [(b"content-type", f"{'application' if kind == 'json' else 'text'}/{kind}".encode()),
               (b"connection", b"close"), (b"retry-after", b"1"), *SECURITY_HEADERS]  # fmt: skip
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


class _Config(uvicorn.Config):
    limits: Limits = Limits()


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for every request and the connection cap."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = config.limits if isinstance(config, _Config) else Limits()
        self.limit_concurrency = None  # uvicorn's cap answers without our headers: ours below
        self.own_app = self.app
        self.deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        """Start the clock for the next request (from the connection or the last response)."""
        self._disarm()
        self.deadline = self.loop.call_later(self.limits.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        self.deadline = None
        if not self.transport.is_closing():
            log.debug("closing a connection that sent no whole request in time")
            self.transport.close()

    def _receiving(self) -> bool:
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._receiving():  # the whole request is in (or the connection is over)
            self._disarm()

    def handle_events(self) -> None:
        cap = self.limits.max_connections
        busy = len(self.connections) > cap or len(self.tasks) >= cap
        self.app = _busy if busy else self.own_app
        super().handle_events()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._receiving():
            self._arm()  # the next request (or the rest of an unread body) is due

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a malformed request, with the security headers."""
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                   *SECURITY_HEADERS]  # fmt: skip
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=msg.encode("ascii")),
            h11.EndOfMessage(),
        ):
            output = self.conn.send(event)
            if output:
                self.transport.write(output)
        self.transport.close()


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
async def serving(
    app: ASGIApp, sock: socket.socket, limits: Limits = Limits()
) -> AsyncIterator[uvicorn.Server]:
    """Serve ``app`` on ``sock`` until the block ends (then finish open requests)."""
    config = _Config(
        app,
        http=_Protocol,
        log_config=None,  # uvicorn's lines go through archiver's handler (archiver.logs)
        access_log=False,  # no line per request: uvicorn.access stays silent
        server_header=False,
        proxy_headers=False,
        lifespan="on",
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
        timeout_keep_alive=limits.keep_alive,
        h11_max_incomplete_event_size=limits.max_head_bytes,
    )
    config.limits = limits
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
