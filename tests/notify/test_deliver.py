"""Delivering the outbox to a real receiver that fails (503), then hangs, then accepts."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from datetime import timedelta

import pytest

from archiver.fetch.webhook import WebhookSender
from archiver.notify.deliver import Deliverer, Round
from archiver.notify.settings import NotifySettings
from archiver.notify.status import webhook_lines
from archiver.store import Store
from tests.notify.conftest import Clock
from tests.notify.receiver import Receiver
from tests.store.factories import capture, record

SECRET = "s3cret-s3cret-s3cret"
TIMEOUT = 0.3  # real seconds a delivery may take; the receiver's hang is longer


def _settings(url: str, **kw: object) -> NotifySettings:
    hook = {"url": url, "secret": SECRET, "name": "hook"}
    settings = {"timeout": TIMEOUT, "retry_after": "10s", "retry_max": "1h", "max_attempts": 4}
    return NotifySettings.model_validate({"webhook": [hook], **settings, "concurrency": 2, **kw})


def _events(store: Store) -> None:
    """Five events: three new articles, an update, a failed capture."""
    for n in range(3):
        record(store, f"https://news.example/{n}", f"Story {n}.", minutes=n)
    record(store, "https://news.example/0", "Story 0, corrected.", minutes=5)
    store.record_failure(capture("https://news.example/9", minutes=6, status=500, error="HTTP 500"))


async def _rounds(deliverer: Deliverer, clock: Clock, steps: list[float]) -> list[Round]:
    done = []
    for seconds in steps:
        clock.advance(seconds)
        done.append(await deliverer.run_once())
    return done


def test_fail_then_hang_then_accept_loses_nothing(store: Store) -> None:
    clock = Clock()
    store.outbox.register(_settings("http://x.invalid/").routes, clock())
    _events(store)
    keys = {item.idempotency_key for item in store.outbox.items()}
    assert len(keys) == 5

    async def scenario(url: str) -> tuple[list[Round], float]:
        async with WebhookSender(user_agent="test", allow_private_networks=True) as sender:
            deliverer = Deliverer(store.outbox, _settings(url), sender, now=clock)
            started = time.monotonic()
            rounds = await _rounds(deliverer, clock, [0, 0, 5, 5])
            return rounds, time.monotonic() - started

    with Receiver(["fail", "hang"], hang_seconds=5.0).running() as receiver:
        rounds, took = asyncio.run(scenario(receiver.url))
        # Round 1: two in flight, one 503, one hanging past the timeout; the other three wait.
        assert rounds[0] == Round(delivered=0, retried=2, failed=0, released=3)
        assert rounds[1] == Round(delivered=3)  # at once: only the failed ones back off
        assert rounds[2] == Round()  # 5 s later: their 10 s backoff is not over
        assert rounds[3] == Round(delivered=2)  # 10 s later they go through
        assert took < 4.0  # the hang cost one timeout (0.3 s), not its 5 s; no backoff was slept
        receiver.release.set()
    items = store.outbox.items()
    assert all(item.state == "delivered" for item in items)
    retried = {(i.attempts, i.last_error) for i in items if i.attempts > 1}
    assert retried == {
        (2, "HTTP 503: try later"),
        (2, f"no answer from {receiver.url} within 0.3s"),
    }
    processed = receiver.processed()
    assert set(processed) == keys  # every event, none lost
    hung = receiver.requests[1]
    assert hung.step == "hang"
    # Only the hung one came twice (it was acted on, but answered too late): with its own key.
    assert {k: n for k, n in processed.items() if n > 1} == {hung.key: 2}
    assert receiver.verify(SECRET)
    by_key: dict[str, set[bytes]] = {}
    for request in receiver.requests:
        by_key.setdefault(request.key, set()).add(request.body)
    assert all(len(bodies) == 1 for bodies in by_key.values())  # same bytes on every attempt


def test_a_receiver_that_is_down_gets_everything_once_it_is_up(store: Store) -> None:
    clock = Clock()
    store.outbox.register(_settings("http://x.invalid/").routes, clock())
    _events(store)
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"

    async def scenario() -> list[Round]:
        async with WebhookSender(user_agent="test", allow_private_networks=True) as sender:
            deliverer = Deliverer(store.outbox, _settings(url), sender, now=clock)
            down = await deliverer.run_once()
            with Receiver([], port=port).running():
                return [down, *await _rounds(deliverer, clock, [0, 10])]

    rounds = asyncio.run(scenario())
    # Down: the first two fail, the rest wait; then the three waiting, then the two retried.
    assert rounds == [Round(retried=2, released=3), Round(delivered=3), Round(delivered=2)]
    items = store.outbox.items()
    assert all(i.state == "delivered" for i in items)
    errors = {i.last_error for i in items if i.attempts == 2}
    assert errors == {f"connection refused by 127.0.0.1:{port}"}


def test_payload_links_headers_and_signature(store: Store) -> None:
    clock = Clock()
    settings = _settings("http://x.invalid/", base_url="https://archive.example.org/")
    store.outbox.register(settings.routes, clock())
    first = record(store, "https://news.example/a", "Text one.", title="One")
    record(store, "https://news.example/a", "Text two.", title="Two", minutes=3)

    async def scenario(url: str) -> Round:
        hooks = _settings(url, base_url="https://archive.example.org/")
        async with WebhookSender(user_agent="archiver-test/1", allow_private_networks=True) as s:
            return await Deliverer(store.outbox, hooks, s, now=clock).run_once()

    with Receiver([]).running() as receiver:
        assert asyncio.run(scenario(receiver.url)) == Round(delivered=2)
    new, updated = sorted(receiver.requests, key=lambda r: json.loads(r.body)["version"])
    body = json.loads(updated.body)
    assert body["event"] == "updated" and json.loads(new.body)["event"] == "new"
    assert body["links"] == {
        "article": f"https://archive.example.org/articles/{first.article_id}?version=2",
        "diff": f"https://archive.example.org/articles/{first.article_id}/diff?from=1&to=2",
        "api": f"https://archive.example.org/api/articles/{first.article_id}",
    }
    assert json.loads(new.body)["links"]["diff"] is None
    assert (body["title"], body["version"], body["url"], body["site"], body["webhook"]) == (
        "Two", 2, "https://news.example/a", "news.example", "hook",
    )  # fmt: skip
    assert updated.headers["X-Archiver-Event"] == "updated"
    assert updated.headers["Content-Type"] == "application/json"
    assert updated.headers["User-Agent"] == "archiver-test/1"
    assert updated.headers["X-Archiver-Signature"].startswith("sha256=")
    assert receiver.verify(SECRET)
    assert not receiver.verify("another-secret-value")


def test_a_receiver_that_stays_down_fails_after_max_attempts(store: Store) -> None:
    clock = Clock()
    store.outbox.register(_settings("http://x.invalid/").routes, clock())
    record(store, "https://news.example/a", "Text one.")

    async def scenario(url: str) -> list[Round]:
        async with WebhookSender(user_agent="test", allow_private_networks=True) as sender:
            deliverer = Deliverer(store.outbox, _settings(url), sender, now=clock)
            assert [deliverer.backoff(n) for n in (1, 2, 3, 10)] == [10, 20, 40, 3600]
            return await _rounds(deliverer, clock, [0, 10, 20, 40, 80])

    with Receiver([], then="fail").running() as receiver:
        rounds = asyncio.run(scenario(receiver.url))
    assert [(r.retried, r.failed) for r in rounds] == [(1, 0), (1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(receiver.requests) == 4  # max_attempts, then no more
    (item,) = store.outbox.items()
    assert (item.state, item.attempts, item.last_error) == ("failed", 4, "HTTP 503: try later")
    last = (clock.now - timedelta(seconds=80)).isoformat().replace("+00:00", "Z")
    assert webhook_lines(store.outbox.summary(["hook"])) == [
        "webhook hook: 0 delivered, 0 pending, 1 failed",
        f"  last error at {last}: HTTP 503: try later",
    ]


def test_a_webhook_on_a_private_address_is_refused(store: Store) -> None:
    """With private networks not allowed, 127.0.0.1 is never contacted."""
    clock = Clock()
    store.outbox.register(_settings("http://x.invalid/").routes, clock())
    record(store, "https://news.example/a", "Text one.")

    async def scenario(url: str) -> Round:
        async with WebhookSender(user_agent="test", allow_private_networks=False) as sender:
            return await Deliverer(store.outbox, _settings(url), sender, now=clock).run_once()

    with Receiver([]).running() as receiver:
        assert asyncio.run(scenario(receiver.url)) == Round(retried=1)
    assert receiver.requests == []
    (item,) = store.outbox.items()
    assert item.state == "pending"
    assert item.last_error is not None
    assert item.last_error.startswith("blocked address 127.0.0.1 for host 127.0.0.1")


@pytest.mark.parametrize("bad", ["ftp://example.org/hook", "not a url", "https:///nohost"])
def test_bad_webhook_urls_are_config_errors(bad: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="http:// or https:// URL"):
        _settings(bad)
