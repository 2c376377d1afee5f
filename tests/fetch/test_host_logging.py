"""A struggling host is one INFO line when its trouble starts and one when it ends.

Retries, Retry-After waits, timeouts and host backoff are logged per host and
per change of state, never per request at INFO (each failed request is DEBUG).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from archiver.config import FetchSettings
from archiver.errors import FetchError, FetchTimeoutError
from archiver.fetch import Fetcher
from tests.fetch.helpers import quick
from tests.localsite import LocalSite, Page, send_ok

pytestmark = pytest.mark.anyio

Lines = Callable[..., list[str]]


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Lines:
    """The fetch stage's log messages at ``level`` (INFO unless told), oldest first."""
    # An earlier in-process CLI run (setup_logging) stops archiver's loggers propagating.
    monkeypatch.setattr(logging.getLogger("archiver"), "propagate", True)
    caplog.set_level(logging.DEBUG, logger="archiver.fetch")

    def messages(level: int = logging.INFO) -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "archiver.fetch" and r.levelno == level
        ]

    return messages


def failing(**overrides: Any) -> FetchSettings:
    values: dict[str, Any] = {"max_retries": 2, "retry_backoff": 0.05, "host_backoff_max": 1.0}
    return quick(**{**values, **overrides})


class Hang:
    """A handler that sends nothing until ``release`` is set, then answers 200."""

    def __init__(self, site: LocalSite) -> None:
        self.site = site
        self.release = threading.Event()

    def __call__(self, req: BaseHTTPRequestHandler) -> None:
        if not self.release.is_set():
            self.release.wait(10)
            req.close_connection = True
            return
        send_ok(req)


async def test_a_run_of_503s_with_retry_after_is_one_line_then_one_recovery_line(
    site: LocalSite, lines: Lines
) -> None:
    site.set("/busy", "busy", status=503, headers={"Retry-After": "1"})
    # Retry-After 1 s is over max_retry_after: each fetch returns its 503 at once, and the
    # host is left alone for host_backoff_max between fetches.
    settings = failing(max_retry_after=0.5, host_backoff_max=0.3)

    async with Fetcher(settings) as fetcher:
        statuses = [(await fetcher.fetch(site.url("/busy"))).status for _ in range(3)]
        site.set("/busy", "fine")
        recovered = await fetcher.fetch(site.url("/busy"))
        assert (await fetcher.fetch(site.url("/busy"))).status == 200

    assert statuses == [503, 503, 503] and recovered.status == 200
    assert lines() == [
        "host 127.0.0.1: backing off 0.3 s after 503 (Retry-After 1 s, capped)",
        "host 127.0.0.1: answering again after 3 failed requests",
    ]
    assert len(lines(logging.DEBUG)) == 2  # the 2nd and 3rd 503: DEBUG only


async def test_an_honoured_retry_after_is_named(site: LocalSite, lines: Lines) -> None:
    site.sequence("/p", Page(b"busy", 503, {"Retry-After": "1"}), Page(b"ok"))

    async with Fetcher(failing()) as fetcher:
        result = await fetcher.fetch(site.url("/p"))

    assert result.status == 200
    assert lines() == [
        "host 127.0.0.1: backing off 1 s after 503 (Retry-After)",
        "host 127.0.0.1: answering again after 1 failed request",
    ]


async def test_retries_without_retry_after_log_the_first_backoff_only(
    site: LocalSite, lines: Lines
) -> None:
    site.set("/down", "down", status=502)

    async with Fetcher(failing(max_retries=3)) as fetcher:
        assert (await fetcher.fetch(site.url("/down"))).status == 502

    assert len(site.hits_for("/down")) == 4
    assert lines() == ["host 127.0.0.1: backing off 0.05 s after 502"]
    debug = lines(logging.DEBUG)
    assert sum(m.startswith("retry ") for m in debug) == 3  # each retry: DEBUG
    assert sum(m.startswith("host 127.0.0.1: failure ") for m in debug) == 3


async def test_timeouts_are_one_line_per_host_and_one_when_it_answers(
    site: LocalSite, other_site: LocalSite, lines: Lines
) -> None:
    hangs = {s.host: Hang(s) for s in (site, other_site)}
    for s in (site, other_site):
        s.handle("/hang", hangs[s.host])

    async with Fetcher(failing(total_timeout=0.3)) as fetcher:
        for _ in range(3):
            for s in (site, other_site):
                with pytest.raises(FetchTimeoutError):
                    await fetcher.fetch(s.url("/hang"))
        hangs[site.host].release.set()
        assert (await fetcher.fetch(site.url("/hang"))).body == b"ok"
        hangs[other_site.host].release.set()

    assert lines() == [
        f"host 127.0.0.1: timeouts, backing off 0.05 s "
        f"(timed out after 0.3s fetching {site.url('/hang')})",
        f"host 127.0.0.2: timeouts, backing off 0.05 s "
        f"(timed out after 0.3s fetching {other_site.url('/hang')})",
        "host 127.0.0.1: answering again after 3 failed requests",
    ]
    assert len(site.hits_for("/hang")) == 4  # a timeout is not retried at once


async def test_a_change_of_trouble_is_a_new_line(site: LocalSite, lines: Lines) -> None:
    hang = Hang(site)
    site.handle("/hang", hang)
    site.set("/busy", "busy", status=503)

    async with Fetcher(failing(max_retries=1, total_timeout=0.3)) as fetcher:
        assert (await fetcher.fetch(site.url("/busy"))).status == 503  # two 503s
        with pytest.raises(FetchTimeoutError):
            await fetcher.fetch(site.url("/hang"))
        with pytest.raises(FetchTimeoutError):
            await fetcher.fetch(site.url("/hang"))
        hang.release.set()
        await fetcher.fetch(site.url("/hang"))

    assert lines() == [
        "host 127.0.0.1: backing off 0.05 s after 503",
        "host 127.0.0.1: timeouts, backing off 0.2 s "
        f"(timed out after 0.3s fetching {site.url('/hang')})",
        "host 127.0.0.1: answering again after 4 failed requests",
    ]


async def test_an_unreachable_host_is_one_line(lines: Lines) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with Fetcher(failing()) as fetcher:
        for _ in range(2):
            with pytest.raises(FetchError):
                await fetcher.fetch(f"http://127.0.0.1:{port}/")

    assert lines() == [
        f"host 127.0.0.1: not answering, backing off 0.05 s "
        f"(connection refused by 127.0.0.1:{port})"
    ]
