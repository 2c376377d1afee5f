"""A raw asyncio HTTP/1.1 server on 127.0.0.x that misbehaves at the byte level.

``tests.localsite.LocalSite`` (``http.server``) always writes well-formed
responses; hostile servers do not. Here every route is a *behaviour*: a
coroutine that gets the parsed request and the raw connection and writes
whatever bytes it likes, whenever it likes (lying headers, a drip feed, an
endless chunked body, a decompression bomb, or nothing at all).

The server runs its own event loop in a daemon thread, so tests drive it from
synchronous or asynchronous code alike. Everything it does is bounded: it only
ever listens on a loopback address, every endless behaviour stops when the
client hangs up, when the server stops, or after ``MAX_SECONDS``.

``hits`` records each request (path, headers, time); ``hangups`` records when a
client closed a connection the server was still serving, which is how a test
sees, on the server's own clock, that a fetch really gave up.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

MAX_SECONDS = 30.0  # no behaviour streams or waits longer than this
_HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic() when the request head was read


@dataclass
class Conn:
    """One request on one connection, as a behaviour sees it."""

    request: Request
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    server: FaultServer
    keep_alive: bool = True  # False: close the connection after this behaviour

    async def send(self, data: bytes) -> None:
        """Write and wait until the kernel took it; raises ConnectionError on a hang-up."""
        if self.writer.is_closing():
            raise ConnectionResetError("client went away")
        self.writer.write(data)
        await self.writer.drain()

    async def pause(self, seconds: float) -> bool:
        """Sleep; False when the server is stopping (time to give up)."""
        stopping = self.server.stopping_event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)
        return not stopping.is_set()

    async def wait_for_hangup(self, limit: float = MAX_SECONDS) -> bool:
        """Wait until the client closes the connection; True if it did within ``limit``."""
        reading = asyncio.ensure_future(self.reader.read())
        stopping = asyncio.ensure_future(self.server.stopping_event.wait())
        try:
            done, _ = await asyncio.wait(
                {reading, stopping}, timeout=limit, return_when=asyncio.FIRST_COMPLETED
            )
            if reading in done:
                self.server.hung_up(self.request.path)
                return True
            return False
        finally:
            for task in (reading, stopping):
                task.cancel()


Behaviour = Callable[[Conn], Awaitable[None]]


def head(status: int = 200, headers: Iterable[tuple[str, str]] | dict[str, str] = ()) -> bytes:
    """A status line and header block, exactly as given (no header is added)."""
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"HTTP/1.1 {status} X"] + [f"{name}: {value}" for name, value in items]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# -- behaviours ------------------------------------------------------------------------


def respond(
    body: bytes | str = b"",
    *,
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
    length: int | bool | None = True,
) -> Behaviour:
    """A plain response. ``length``: True = the real Content-Length, an int = a lie,
    None/False = no Content-Length (the body ends when the connection closes)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    fields: dict[str, str] = {}
    if content_type is not None:
        fields["Content-Type"] = content_type
    fields.update(headers or {})
    if length is True:
        fields["Content-Length"] = str(len(data))
    elif isinstance(length, int) and length is not False:
        fields["Content-Length"] = str(length)

    async def behaviour(conn: Conn) -> None:
        if length is None or length is False or (length is not True and length != len(data)):
            conn.keep_alive = False  # the framing is broken or absent: never reuse it
        await conn.send(head(status, fields) + (b"" if conn.request.method == "HEAD" else data))

    return behaviour


def redirect(to: str, *, status: int = 302, cookies: Iterable[str] = ()) -> Behaviour:
    fields = [("Location", to), ("Content-Length", "0")]
    fields += [("Set-Cookie", cookie) for cookie in cookies]

    async def behaviour(conn: Conn) -> None:
        await conn.send(head(status, fields))

    return behaviour


def raw(data: bytes) -> Behaviour:
    """Exactly these bytes, then close."""

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        await conn.send(data)

    return behaviour


def silent() -> Behaviour:
    """Read the request, never answer; note when the client gives up."""

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        await conn.wait_for_hangup()

    return behaviour


def drip(
    prefix: bytes,
    *,
    every: float = 0.5,
    byte: bytes = b"x",
    count: int | None = None,
) -> Behaviour:
    """Send ``prefix`` at once, then one ``byte`` every ``every`` seconds (slow-loris).

    ``count`` bytes at most (None: until the client hangs up or MAX_SECONDS).
    ``drip_bytes`` drips a whole head instead.
    """

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        await conn.send(prefix)
        deadline = time.monotonic() + MAX_SECONDS
        sent = 0
        while (count is None or sent < count) and time.monotonic() < deadline:
            if not await conn.pause(every):
                return
            await conn.send(byte)
            sent += 1

    return behaviour


def drip_bytes(data: bytes, *, every: float = 0.5) -> Behaviour:
    """Send ``data`` one byte every ``every`` seconds (a status line and headers, say)."""

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        for index in range(len(data)):
            if index and not await conn.pause(every):
                return
            await conn.send(data[index : index + 1])
        await conn.wait_for_hangup(MAX_SECONDS)

    return behaviour


def endless_chunked(
    piece: bytes,
    *,
    first: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """A 200 with a chunked body that never ends: ``first``, then ``piece`` forever."""
    fields = {"Content-Type": "text/html", **(headers or {}), "Transfer-Encoding": "chunked"}

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        await conn.send(head(200, fields) + (chunk(first) if first else b""))
        deadline = time.monotonic() + MAX_SECONDS
        framed = chunk(piece)
        while time.monotonic() < deadline and not conn.server.stopping_event.is_set():
            await conn.send(framed)
            conn.server.count(conn.request.path, len(piece))

    return behaviour


def endless_headers() -> Behaviour:
    """A status line, then header lines forever."""

    async def behaviour(conn: Conn) -> None:
        conn.keep_alive = False
        await conn.send(b"HTTP/1.1 200 OK\r\n")
        deadline = time.monotonic() + MAX_SECONDS
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        while time.monotonic() < deadline and not conn.server.stopping_event.is_set():
            await conn.send(line * 16)
            conn.server.count(conn.request.path, len(line) * 16)

    return behaviour


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; the last one answers every later request."""
    queue = list(behaviours)
    lock = threading.Lock()

    async def behaviour(conn: Conn) -> None:
        with lock:
            current = queue.pop(0) if len(queue) > 1 else queue[0]
        await current(conn)

    return behaviour


def not_found() -> Behaviour:
    return respond(b"not found", status=404, content_type="text/plain")


# -- the server ------------------------------------------------------------------------


@dataclass
class _State:
    hits: list[Request] = field(default_factory=list)
    hangups: list[tuple[str, float]] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)


class FaultServer:
    """Serve ``routes`` (path -> behaviour) on a loopback address; unknown paths get 404.

    Use as a context manager. ``host`` must be a 127.0.0.0/8 address.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"fault servers only listen on loopback, not {host}")
        self.host = host
        self.port = 0
        self.routes: dict[str, Behaviour] = {}
        self._state = _State()
        self._lock = threading.Lock()
        self._hung_up = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"fault-{host}")
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None

    # -- configuration -----------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, behaviour: Behaviour) -> None:
        with self._lock:
            self.routes[path] = behaviour

    @property
    def stopping_event(self) -> asyncio.Event:
        assert self._stopping is not None
        return self._stopping

    # -- observations ----------------------------------------------------------
    @property
    def hits(self) -> list[Request]:
        with self._lock:
            return list(self._state.hits)

    def hits_for(self, path: str) -> list[Request]:
        return [hit for hit in self.hits if hit.path == path]

    def hangups_for(self, path: str) -> list[float]:
        with self._lock:
            return [at for where, at in self._state.hangups if where == path]

    def sent(self, path: str) -> int:
        """Body bytes an endless behaviour managed to send on ``path``."""
        with self._lock:
            return self._state.sent.get(path, 0)

    def hung_up(self, path: str) -> None:
        with self._lock:
            self._state.hangups.append((path, time.monotonic()))
            self._hung_up.notify_all()

    def wait_for_hangup(self, path: str, timeout: float = 5.0) -> bool:
        """Block until a client hung up on ``path`` (True), or ``timeout`` passed."""
        with self._hung_up:
            return self._hung_up.wait_for(
                lambda: any(where == path for where, _ in self._state.hangups), timeout
            )

    def count(self, path: str, size: int) -> None:
        with self._lock:
            self._state.sent[path] = self._state.sent.get(path, 0) + size

    # -- serving ---------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        path = ""
        try:
            while True:
                try:
                    raw_head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                request = _parse(raw_head)
                if request is None:
                    return
                path = request.path
                with self._lock:
                    self._state.hits.append(request)
                    behaviour = self.routes.get(path) or self.routes.get(path.split("?")[0])
                conn = Conn(request, reader, writer, self)
                await (behaviour or not_found())(conn)
                if not conn.keep_alive or request.headers.get("connection") == "close":
                    return
        except OSError:  # ConnectionResetError, BrokenPipeError: the client hung up
            self.hung_up(path)
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, self.host, 0, limit=_HEAD_LIMIT, reuse_address=True
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stopping.wait()
            server.close()
        # Connections still being served (and any accepted just now) end here.
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by __enter__
            self._error = exc
            self._ready.set()

    def __enter__(self) -> FaultServer:
        self._thread.start()
        if not self._ready.wait(5) or self._error is not None:
            raise RuntimeError(f"fault server did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have just finished
                loop.call_soon_threadsafe(stopping.set)
        self._thread.join(5)


def _parse(raw_head: bytes) -> Request | None:
    try:
        text = raw_head.decode("latin-1")
        request_line, *lines = text.split("\r\n")
        method, path, _version = request_line.split(" ", 2)
    except ValueError:
        return None
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers, time.monotonic())
