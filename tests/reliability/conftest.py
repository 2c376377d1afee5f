"""Fixtures for the hostile-server tests: fault servers, a healthy host, real services.

Every test here runs behind a tripwire: a socket may only connect to a loopback
address. The guard under test refuses 169.254.169.254 or 100.64.0.1 before any
packet leaves; if it ever regressed, the tripwire (not the network) would catch
the connection.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from archiver.archive import Services, archive_url, open_services
from archiver.config import Settings, load_settings
from archiver.fetch import AddressPolicy, Fetcher
from tests.localsite import LocalSite
from tests.reliability.faultserver import FaultServer

TOTAL_TIMEOUT = 2.0  # the tests' total deadline (the default is 30 s)
EXTRACT_TIMEOUT = 1.5  # the tests' extraction limit (the default is 30 s)


def article_html(title: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


HEALTHY_TEXT = (
    "The harbour reopened on Tuesday after three weeks of repairs to the old sea wall.",
    "Fishing boats returned at dawn, and the market stalls were full again by noon.",
)


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths (multiprocessing, the forkserver)
    try:
        return ipaddress.ip_address(address[0]).is_loopback or address[0] == "::ffff:127.0.0.1"
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail any attempt of this process to connect beyond 127.0.0.0/8 or ::1.

    Returns the addresses connected to (asyncio's loop calls ``sock.connect``).
    """
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    seen: list[Any] = []

    def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(sock: socket.socket, address: Any) -> Any:
            if not _is_loopback(address):
                raise AssertionError(f"test tried to connect to {address!r}: loopback only")
            seen.append(address)
            return method(sock, address)

        return call

    monkeypatch.setattr(socket.socket, "connect", guarded(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(connect_ex))
    return seen


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    """A fault-injection server on 127.0.0.1."""
    with FaultServer("127.0.0.1") as server:
        yield server


@pytest.fixture
def healthy() -> Iterator[LocalSite]:
    """A well-behaved site on 127.0.0.2 (another host) serving one article."""
    with LocalSite("127.0.0.2") as site:
        site.set("/news/harbour", article_html("Harbour reopens", *HEALTHY_TEXT))
        site.set("/news/market", article_html("Market is back", *reversed(HEALTHY_TEXT)))
        yield site


@dataclass
class Env:
    """The archiver home of one test and a way to configure it."""

    home: Path
    monkeypatch: pytest.MonkeyPatch

    def settings(self, **env: object) -> Settings:
        """Settings from the environment, after setting ``ARCHIVER_<KEY>`` for each of ``env``
        (``fetch__max_retries=1`` sets ARCHIVER_FETCH__MAX_RETRIES)."""
        for key, value in env.items():
            self.monkeypatch.setenv(f"ARCHIVER_{key.upper()}", str(value))
        return load_settings()


@pytest.fixture
def env(archiver_env: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    """Quick limits for every test here: 2 s deadline, 1.5 s extraction, one worker."""
    monkeypatch.setenv("ARCHIVER_FETCH__TOTAL_TIMEOUT", str(TOTAL_TIMEOUT))
    monkeypatch.setenv("ARCHIVER_EXTRACT__TIMEOUT", str(EXTRACT_TIMEOUT))
    monkeypatch.setenv("ARCHIVER_EXTRACT__WORKERS", "1")
    return Env(archiver_env, monkeypatch)


@asynccontextmanager
async def services(
    settings: Settings, policy: AddressPolicy | None = None
) -> AsyncIterator[Services]:
    """``open_services``: the real fetcher, extractor pool and store of ``settings``.

    ``policy`` replaces the fetcher's address policy (what settings would choose).
    """
    async with open_services(settings) as opened:
        if policy is None:
            yield opened
            return
        async with Fetcher(settings.fetch, policy=policy) as fetcher:
            yield replace(opened, fetcher=fetcher)


class LoopbackOnlyPublic(AddressPolicy):
    """127.0.0.1 plays the public internet; every other address is private (blocked)."""

    def is_blocked(self, ip: Any) -> bool:
        return str(ip) != "127.0.0.1"


@dataclass(frozen=True)
class Stored:
    articles: int
    versions: int
    bodies: int
    aliases: list[str]
    captures: list[tuple[str, str | None, int | None, str | None]]  # url, error, article, body

    @property
    def nothing(self) -> bool:
        return (self.articles, self.versions, self.bodies, self.aliases) == (0, 0, 0, [])

    def errors_for(self, url: str) -> list[str | None]:
        return [error for requested, error, _, _ in self.captures if requested == url]

    def assert_only_failures_from(self, urls: list[str], *, articles: int = 0) -> None:
        """Each of ``urls`` left capture rows with an error and nothing else (no
        article, alias, version or body); ``articles`` healthy pages were stored."""
        assert (self.articles, self.versions, self.bodies) == (articles,) * 3, self
        for url in urls:
            assert url not in self.aliases, (url, self.aliases)
            rows = [row for row in self.captures if row[0] == url]
            assert rows, (url, self.captures)
            for _, error, article, body in rows:
                assert error and article is None and body is None, (url, rows)
                assert "\n" not in error, error


def stored(settings: Settings) -> Stored:
    """What the store holds, read with plain SQL (independent of the models)."""
    engine = sqlalchemy.create_engine(settings.db_url)
    try:
        with engine.connect() as db:

            def count(table: str) -> int:
                return int(
                    db.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar_one()
                )

            rows = db.execute(
                sqlalchemy.text(
                    "SELECT requested_url, error, article_id, body_hash FROM capture ORDER BY id"
                )
            ).all()
            aliases = db.execute(sqlalchemy.text("SELECT url FROM alias")).scalars().all()
            return Stored(
                count("article"),
                count("version"),
                count("body"),
                [str(url) for url in aliases],
                [(r[0], r[1], r[2], r[3]) for r in rows],
            )
    finally:
        engine.dispose()


async def timed_archive(url: str, svc: Services) -> tuple[Any, float]:
    started = time.monotonic()
    result = await archive_url(url, svc)
    return result, time.monotonic() - started


# -- figures and the CLI ---------------------------------------------------------------

_FIGURES: list[str] = []


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Note a measured figure; all of them are printed in the terminal summary."""

    def add(line: str) -> None:
        _FIGURES.append(f"{request.node.name}: {line}")
        print(line)

    return add


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("hostile-server figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
