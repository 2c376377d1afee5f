"""Raw bodies: a re-fetch whose chrome changed is stored as a small delta, rebuilt exactly."""

from __future__ import annotations

import hashlib
import random

from sqlalchemy import text

from archiver.store import Store
from archiver.store.engine import make_engine
from tests.store.factories import record


def page(seed: int, chrome: int) -> bytes:
    """An article page of some 40 KB whose box (``chrome``) changes between fetches."""
    rng = random.Random(seed)
    words = [rng.choice(["harbour", "council", "vote", "plan", "budget", "said", "the", "on"])
             for _ in range(6000)]  # fmt: skip
    body = " ".join(words)
    box = random.Random(chrome).randbytes(600).hex()  # incompressible churn
    return (
        f"<html><body><article><p>{body}</p></article>"
        f"<aside>Most read {box} Updated at 10:{chrome % 60:02d}</aside></body></html>"
    ).encode()


def rows(db_url: str) -> list[tuple[str, int, int, str | None]]:
    """Every stored body: hash, raw size, stored size, base."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT hash, size, length(data), base_hash FROM body"))
            return [(h, s, n, b) for h, s, n, b in found]
    finally:
        engine.dispose()


def test_re_fetches_are_stored_as_deltas_and_rebuilt_byte_for_byte(
    store: Store, db_url: str
) -> None:
    url = "https://news.example/harbour"
    fetched = [page(1, chrome) for chrome in range(6)]
    for minutes, raw in enumerate(fetched):
        record(store, url, "The harbour plan was approved.", minutes=minutes, raw=raw)
    stored = {h: (size, length, base) for h, size, length, base in rows(db_url)}
    first = hashlib.sha256(fetched[0]).hexdigest()
    assert stored[first][2] is None  # the first body stands alone
    for raw in fetched[1:]:
        _, length, base = stored[hashlib.sha256(raw).hexdigest()]
        assert base == first  # every delta against the one stored alone: two rows at most
        assert length < 0.2 * stored[first][1] and length < 1_000, (length, stored[first])
    for raw in fetched:  # every body rebuilt exactly
        assert store.body(hashlib.sha256(raw).hexdigest()) == raw


def test_a_page_that_changed_too_much_stands_alone(store: Store, db_url: str) -> None:
    url = "https://news.example/rewritten"
    old, new = page(1, 0), page(2, 0)  # another text altogether
    record(store, url, "First text of the story.", raw=old)
    record(store, url, "Second text of the story.", minutes=1, raw=new)
    stored = {h: base for h, _, _, base in rows(db_url)}
    assert stored[hashlib.sha256(new).hexdigest()] is None
    assert store.body(hashlib.sha256(new).hexdigest()) == new


def test_other_articles_are_never_a_base(store: Store, db_url: str) -> None:
    record(store, "https://news.example/a", "Story a.", raw=page(1, 0))
    record(store, "https://news.example/b", "Story b.", minutes=1, raw=page(1, 1))
    assert all(base is None for *_, base in rows(db_url))


def test_a_delta_of_a_delta_is_never_made(store: Store, db_url: str) -> None:
    """The base is the first body stored alone, not the newest delta."""
    url = "https://news.example/chain"
    for minutes in range(4):
        record(store, url, "Text.", minutes=minutes, raw=page(3, minutes))
    bases = {base for *_, base in rows(db_url) if base is not None}
    assert len(bases) == 1
    assert all(base is None for h, *_, base in rows(db_url) if h in bases)
