"""A webhook receiver on 127.0.0.1 that follows a script: fail, hang, then accept.

Each request takes the next step of ``script`` (then ``then``, forever):
``"fail"`` answers 503, ``"hang"`` holds the answer back (``hang_seconds``, or
until ``release`` is set) and then answers 200 (a receiver that processed the
event but answered too late), ``"accept"`` answers 200. Every request is kept
(``requests``), with the step it was answered by.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from archiver.notify import payload


@dataclass(frozen=True)
class Received:
    step: str
    body: bytes
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived

    @property
    def key(self) -> str:
        return self.headers["Idempotency-Key"]

    @property
    def processed(self) -> bool:
        """Whether the receiver acted on it (a hang answers late, but acts)."""
        return self.step in ("accept", "hang")


class Receiver:
    def __init__(
        self, script: list[str], then: str = "accept", hang_seconds: float = 2.0, port: int = 0
    ) -> None:
        self.script = list(script)
        self.then = then
        self.hang_seconds = hang_seconds
        self.requests: list[Received] = []
        self.hanging = threading.Event()  # set while a "hang" request is held
        self.release = threading.Event()  # ends every hang at once
        self._lock = threading.Lock()
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    step = receiver.script.pop(0) if receiver.script else receiver.then
                    receiver.requests.append(
                        Received(step, body, dict(self.headers.items()), time.monotonic())
                    )
                if step == "hang":
                    receiver.hanging.set()
                    receiver.release.wait(receiver.hang_seconds)
                    receiver.hanging.clear()
                status = 503 if step == "fail" else 200
                answer = b"try later" if step == "fail" else b"ok"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up waiting (a hang): nobody reads the answer

        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release.set()
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)

    def processed(self) -> Counter[str]:
        """How often each idempotency key was acted on."""
        with self._lock:
            return Counter(r.key for r in self.requests if r.processed)

    def verify(self, secret: str) -> bool:
        """Every request's signature matches its raw body, and its body names its key."""
        with self._lock:
            return all(
                payload.verify(secret, r.body, r.headers[payload.SIGNATURE_HEADER])
                and json.loads(r.body)["id"] == r.key
                for r in self.requests
            )
