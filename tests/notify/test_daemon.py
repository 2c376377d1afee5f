"""``archiver run`` delivers webhooks as a job of its own: a hanging receiver stalls nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archiver.config import Settings, load_settings
from archiver.sources.specs import make_spec
from archiver.store import Store
from tests.conftest import Run
from tests.daemon.conftest import running, until
from tests.daemon.newssite import NewsSite
from tests.localsite import LocalSite
from tests.notify.receiver import Receiver

SECRET = "daemon-secret-0123456789"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    # The first delivery fails, the next hangs until released, every later one is accepted.
    with Receiver(["fail", "hang"], hang_seconds=30.0).running() as started:
        yield started


@pytest.fixture
def settings(archiver_env: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Settings:
    hook = {"url": receiver.url, "secret": SECRET, "name": "newsroom", "events": ["new"]}
    monkeypatch.setenv("ARCHIVER_NOTIFY__WEBHOOK", json.dumps([hook]))  # the environment works
    monkeypatch.setenv("ARCHIVER_NOTIFY__EVERY", "0.1s")
    monkeypatch.setenv("ARCHIVER_NOTIFY__RETRY_AFTER", "0.1s")
    monkeypatch.setenv("ARCHIVER_NOTIFY__TIMEOUT", "20")  # longer than the test waits
    s = load_settings()
    s.extract.workers = 1
    s.daemon.recheck_ladder = [3600.0]
    s.daemon.recheck_scan_every = 0.2
    s.daemon.reload_every = 0.2
    s.daemon.sources_file = archiver_env.parent / "sources.toml"
    return s


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    settings.ensure_home()
    with Store(settings.db_url) as opened:
        yield opened


def test_daemon_archives_while_the_receiver_hangs_and_delivers_everything(
    settings: Settings,
    store: Store,
    site: LocalSite,
    receiver: Receiver,
    cli: Callable[..., Run],
) -> None:
    news = NewsSite(site)
    news.publish("first", 0)
    store.add_source(make_spec(news.url("/rss.xml"), kind="feed", name="wire", every="1s"))

    async def scenario() -> int:
        async with running(settings):
            await until(lambda: receiver.hanging.is_set(), what="the receiver to hang")
            news.publish("second", 1)
            news.publish("third", 2)
            await until(lambda: store.counts()["articles"] == 3, what="archiving during the hang")
            assert receiver.hanging.is_set()  # still hanging: archiving did not wait for it
            archived_during_hang = store.counts()["articles"] - 1
            pending = store.outbox.summary(["newsroom"])[0].pending
            assert pending == 3  # the first is being retried, the two new ones wait their turn
            receiver.release.set()
            await until(
                lambda: store.outbox.summary(["newsroom"])[0].delivered == 3,
                what="every event delivered",
            )
            return archived_during_hang

    assert asyncio.run(scenario()) == 2
    keys = {item.idempotency_key for item in store.outbox.items()}
    assert set(receiver.processed()) == keys
    assert receiver.verify(SECRET)
    assert [r.step for r in receiver.requests[:2]] == ["fail", "hang"]
    assert receiver.requests[0].key == receiver.requests[1].key  # the retry: the same key

    status = cli("status", "--json")
    assert status.code == 0, status.err
    (hook,) = status.json()["webhooks"]
    assert (hook["name"], hook["delivered"], hook["pending"], hook["failed"]) == (
        "newsroom", 3, 0, 0,
    )  # fmt: skip
    assert hook["last_error"] == "HTTP 503: try later"
    text = cli("status")
    assert "webhook newsroom: 3 delivered, 0 pending, 0 failed" in text.out
    assert "HTTP 503: try later" in text.out
