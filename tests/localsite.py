"""A real HTTP server on 127.0.0.1 whose pages a test can change between requests.

Modelled on changedetection.io's test helpers: a test sets what a path serves,
runs archiver against ``site.url(path)``, changes the page, and runs again.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()


Handler = Callable[[BaseHTTPRequestHandler], None]


class LocalSite:
    """Serve ``pages`` (path -> Page) and record every request in ``hits``.

    ``host`` may be any loopback address (``127.0.0.2`` counts as a different
    host for politeness tests); ``tls`` makes it an HTTPS server. Custom
    handlers should stop early once ``stopping`` is set so shutdown is prompt.
    """

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.scheme = "https" if tls is not None else "http"
        self.pages: dict[str, Page] = {}
        self.handlers: dict[str, Handler] = {}
        self.sequences: dict[str, list[Page]] = {}
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # The client may hang up mid-body (it stopped reading at a cap): fine.
                with contextlib.suppress(ConnectionError):
                    super().handle()

            def do_GET(self) -> None:
                site._serve(self)

            def do_HEAD(self) -> None:
                site._serve(self)

        self._server = ThreadingHTTPServer((host, 0), _Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        # A short poll interval keeps shutdown (and so every test teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- configuration -------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def set(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **(headers or {})}
        with self._lock:
            self.pages[path] = Page(data, status, all_headers)

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        with self._lock:
            self.pages[path] = Page(b"", status, {"Location": to})

    def sequence(self, path: str, *pages: Page) -> None:
        """Serve ``pages`` in turn at ``path``; the last one answers every later request."""
        with self._lock:
            self.sequences[path] = list(pages)

    def handle(self, path: str, handler: Handler) -> None:
        """Serve ``path`` with custom code (slow bodies, broken responses...)."""
        with self._lock:
            self.handlers[path] = handler

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    # -- serving -------------------------------------------------------------
    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path
        with self._lock:
            self.hits.append(Hit(path, dict(req.headers.items()), time.monotonic()))
            handler = self.handlers.get(path)
            page = self.pages.get(path) or self.pages.get(path.split("?")[0])
            queued = self.sequences.get(path)
            if queued:
                page = queued.pop(0) if len(queued) > 1 else queued[0]
        if handler is not None:
            handler(req)
            return
        if page is None:
            page = Page(b"not found", 404, {"Content-Type": "text/plain"})
        etag = page.headers.get("ETag")
        if etag and req.headers.get("If-None-Match") == etag:
            req.send_response(304)
            req.send_header("ETag", etag)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        req.send_response(page.status)
        for name, value in page.headers.items():
            req.send_header(name, value)
        req.send_header("Content-Length", str(len(page.body)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(page.body)

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def send_ok(req: BaseHTTPRequestHandler) -> None:
    """Answer 200 with the two-byte body ``ok``."""
    req.send_response(200)
    req.send_header("Content-Length", "2")
    req.end_headers()
    req.wfile.write(b"ok")


def send_chunk(req: BaseHTTPRequestHandler, data: bytes) -> None:
    """Write one chunk of a ``Transfer-Encoding: chunked`` body (empty data ends it)."""
    req.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    req.wfile.flush()


def serve(host: str = "127.0.0.1") -> Iterator[LocalSite]:
    with LocalSite(host) as site:
        yield site
