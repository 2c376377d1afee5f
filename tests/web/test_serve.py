"""``archiver serve`` as a real process (stopped by SIGTERM) and ``archiver run --serve``."""

from __future__ import annotations

import asyncio
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from archiver.cli import main
from archiver.config import Settings
from archiver.daemon import run_daemon
from archiver.web.server import address, alongside_daemon, bind
from tests.web.conftest import TOKEN, bearer


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def test_serve_process_answers_and_stops_on_sigterm(archiver_env: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, lines), daemon=True).start()
    try:
        url = None
        while url is None:  # the log line that says where it listens
            line = lines.get(timeout=60)
            if found := re.search(r"web UI and API on (http://\S+)", line):
                url = found.group(1)
        assert url.startswith("http://127.0.0.1:")  # loopback by default
        answer = httpx.get(f"{url}/api/articles", timeout=10)
        assert answer.status_code == 200 and answer.json()["total"] == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


def test_serve_on_a_taken_port_is_a_clear_error(
    archiver_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = bind("127.0.0.1", 0)
    try:
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            main(["serve", "--port", str(port)])
        assert exited.value.code == 1
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    finally:
        taken.close()


def test_run_needs_serve_for_host_and_port(
    archiver_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--port", "8123"])
    assert exited.value.code == 2 and "--serve" in capsys.readouterr().err


def test_run_serve_shares_the_daemon_services(web_settings: Settings) -> None:
    web_settings.daemon.sources_file = Path("absent-sources.toml")

    async def scenario() -> None:
        stop, ready = asyncio.Event(), asyncio.Event()
        sock = bind("127.0.0.1", 0)
        url = address(sock)
        task = asyncio.create_task(
            run_daemon(web_settings, stop=stop, ready=lambda _: ready.set(),
                       alongside=alongside_daemon(web_settings, sock))
        )  # fmt: skip
        await asyncio.wait_for(ready.wait(), 60)
        spec = {"url": "https://wire.example/feed", "kind": "feed", "every": "1h", "name": "w"}
        added = await asyncio.to_thread(
            httpx.post, f"{url}/api/sources", json=spec, headers=bearer(TOKEN), timeout=10
        )
        assert added.status_code == 201, added.text
        listed = await asyncio.to_thread(httpx.get, f"{url}/api/sources", timeout=10)
        assert [s["name"] for s in listed.json()["sources"]] == ["w"]
        stop.set()  # what SIGTERM does: the web server stops with the daemon
        await asyncio.wait_for(task, 30)
        with pytest.raises(httpx.ConnectError):
            await asyncio.to_thread(httpx.get, f"{url}/api/sources", timeout=5)

    asyncio.run(scenario())
