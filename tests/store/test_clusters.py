"""Syndication clusters in the store: signatures written with versions, indexed lookups."""

from __future__ import annotations

from sqlalchemy import text

from archiver.records.clusters import NearDuplicate
from archiver.store import Store
from archiver.store.engine import make_engine
from archiver.version.shingles import NearParams
from tests.fixtures.wire import edited, seed_text
from tests.store.factories import content, record


def _rows(db_url: str, table: str, article_id: int) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            sql = text(f"SELECT count(*) FROM {table} WHERE article_id = :id")
            return int(conn.execute(sql, {"id": article_id}).scalar_one())
    finally:
        engine.dispose()


def _wire_pair(store: Store) -> tuple[int, int]:
    local = record(store, "https://local.example/kim-dmz", seed_text(3), site="local.example")
    wire = record(store, "https://wire.example/2025/kim", edited(seed_text(3)), site="wire.example")
    return local.article_id, wire.article_id


def test_a_wire_copy_is_a_near_duplicate_both_ways(store: Store) -> None:
    local, wire = _wire_pair(store)
    there = store.near_duplicates(local)
    back = store.near_duplicates(wire)
    assert [(n.article_id, n.url, n.site) for n in there] == [
        (wire, "https://wire.example/2025/kim", "wire.example")
    ]
    assert [(n.article_id, n.url, n.site) for n in back] == [
        (local, "https://local.example/kim-dmz", "local.example")
    ]
    assert 0.8 <= there[0].similarity <= 1 and there[0].similarity == back[0].similarity


def test_different_stories_on_one_topic_are_not_clustered(store: Store) -> None:
    ids = [
        record(store, f"https://site{n}.example/kim", seed_text(n), site=f"site{n}.example")
        for n in range(4)
    ]
    assert [store.near_duplicates(r.article_id) for r in ids] == [[], [], [], []]
    assert store.clusters([r.article_id for r in ids]) == []
    copy = record(store, "https://wire.example/kim", edited(seed_text(2)), site="wire.example")
    assert [[n.article_id for n in store.near_duplicates(r.article_id)] for r in ids] == [
        [], [], [copy.article_id], []
    ]  # the control: a copy of one of them is found, and only that one  # fmt: skip


def test_own_versions_are_never_near_duplicates(store: Store, db_url: str) -> None:
    first = record(store, "https://local.example/kim", seed_text(1), site="local.example")
    second = record(
        store, "https://local.example/kim", edited(seed_text(1)), site="local.example", minutes=60
    )
    assert (second.outcome, second.article_id, second.version) == ("updated", first.article_id, 2)
    assert store.near_duplicates(first.article_id) == []
    assert store.clusters([first.article_id]) == []
    assert _rows(db_url, "near_signature", first.article_id) == 1  # of the current text only
    assert _rows(db_url, "near_band", first.article_id) == NearParams().bands[0]


def test_a_new_version_replaces_the_signature(store: Store) -> None:
    local, wire = _wire_pair(store)
    rewritten = record(
        store, "https://wire.example/2025/kim", seed_text(0), site="wire.example", minutes=60
    )
    assert rewritten.version == 2
    assert store.near_duplicates(local) == [] and store.near_duplicates(wire) == []
    record(store, "https://wire.example/2025/kim", seed_text(3), site="wire.example", minutes=90)
    assert [n.article_id for n in store.near_duplicates(local)] == [wire]
    assert store.near_duplicates(local)[0].similarity == 1.0  # the very same text now


def test_a_reextraction_in_place_replaces_the_signature(store: Store) -> None:
    local, wire = _wire_pair(store)
    assert store.reextract_version(wire, 1, content(seed_text(2)), reason="test")
    assert store.near_duplicates(local) == [] and store.near_duplicates(wire) == []


def test_clusters_group_every_copy(store: Store) -> None:
    local, wire = _wire_pair(store)
    third = record(
        store, "https://third.example/kim", edited(edited(seed_text(3))), site="third.example"
    ).article_id
    other = record(store, "https://local.example/other", seed_text(1), site="local.example")
    found = store.clusters([local, other.article_id])  # third and wire: found beyond the list
    assert len(found) == 1
    assert {a.id for a in found[0].articles} == {local, wire, third}
    assert [a.id for a in found[0].articles] == [third, wire, local]  # newest first (then id)
    assert {(a, b) for a, b, _ in found[0].links} == {(local, wire), (local, third)}
    assert all(s >= 0.8 for _, _, s in found[0].links)


def test_short_identical_texts_are_not_clustered(store: Store) -> None:
    notice = "This content is not available in your region, sorry about that."
    a = record(store, "https://a.example/x", notice, site="a.example").article_id
    b = record(store, "https://b.example/x", notice, site="b.example").article_id
    assert store.near_duplicates(a) == [] and store.near_duplicates(b) == []


def test_signing_an_archive_recorded_without_clusters(db_url: str) -> None:
    with Store(db_url, clusters=NearParams(enabled=False)) as old:
        local, wire = _wire_pair(old)
        assert old.near_duplicates(local) == [] and old.sign_articles() == 0
    with Store(db_url) as store:
        assert store.near_duplicates(local) == []
        assert store.sign_articles(site="wire.example") == 1
        assert store.sign_articles() == 1  # the other one; then nothing is left to sign
        assert store.sign_articles() == 0
        assert [n.article_id for n in store.near_duplicates(local)] == [wire]


def test_a_changed_setting_is_signed_again(db_url: str) -> None:
    with Store(db_url) as store:
        local, wire = _wire_pair(store)
    with Store(db_url, clusters=NearParams(threshold=0.6)) as looser:
        assert looser.sign_articles() == 2  # another band layout: both re-cut
        assert looser.sign_articles() == 0
        assert [n.article_id for n in looser.near_duplicates(local)] == [wire]
    with Store(db_url, clusters=NearParams(shingle=3)) as other:
        assert other.near_duplicates(local) == []  # signatures of another scheme never compare
        assert other.sign_articles() == 2
        near = other.near_duplicates(wire)
    assert near == [NearDuplicate(local, "https://local.example/kim-dmz", "local.example",
                                  near[0].similarity)]  # fmt: skip
