"""Store side of site templates, re-extractions and extraction health (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

from archiver.records.articles import SourceSpec
from archiver.records.learning import BlockStat
from archiver.store import Store
from archiver.store.health import SHORT_WORDS
from tests.store.factories import at, capture, content, record

SITE = "news.example"


def test_a_block_counts_once_per_article(store: Store) -> None:
    first = store.learn_template(SITE, "https://news.example/a", ["p1", "p2", "nav"])
    assert first.pages == 1 and first.own == {"p1", "p2", "nav"}
    assert first.stats["nav"] == BlockStat(pages=1, since=1)
    # a re-fetch of the same article with a rotated item: "nav" is not counted again
    again = store.learn_template(SITE, "https://news.example/a", ["p1", "nav", "rail-x"])
    assert again.pages == 1
    assert again.stats["nav"].pages == 1 and again.stats["rail-x"] == BlockStat(1, 1)
    other = store.learn_template(SITE, "https://news.example/b", ["q1", "nav", "rail-x"])
    assert other.pages == 2
    assert other.stats["nav"] == BlockStat(2, 1) and other.stats["q1"] == BlockStat(1, 2)
    assert other.seen("nav") == 2 and other.others("q1") == 0


def test_counts_read_without_learning_include_the_page(store: Store) -> None:
    for k in range(4):
        store.learn_template(SITE, f"https://news.example/{k}", ["nav", f"body-{k}"])
    known = store.template_counts(SITE, "https://news.example/new", ["nav", "fresh"])
    assert known.pages == 4 and known.own == frozenset()
    assert known.articles == 5  # as if the page were learned
    assert known.seen("nav") == 5 and known.seen("fresh") == 1
    assert known.share("nav") == 1.0
    # hosts are separate
    assert store.template_counts("other.example", "https://other.example/", ["nav"]).stats == {}


def test_share_counts_from_when_a_block_first_appeared(store: Store) -> None:
    for k in range(8):
        store.learn_template(SITE, f"https://news.example/{k}", ["old", f"b{k}"])
    for k in range(8, 10):  # a redesign: a new promo on the two newest articles only
        store.learn_template(SITE, f"https://news.example/{k}", ["new-promo", f"b{k}"])
    known = store.template_counts(SITE, "https://news.example/9", ["new-promo"])
    assert known.stats["new-promo"] == BlockStat(2, 9)
    assert known.share("new-promo") == 1.0
    assert store.template_counts(SITE, "https://news.example/0", ["old"]).share("old") == 0.8


def test_reextraction_replaces_a_version_in_place(store: Store) -> None:
    url = "https://news.example/story"
    record(store, url, "Body text. Sign up for our newsletter.", raw=b"<html>v1</html>")
    record(store, url, "Edited body text. Sign up for our newsletter.", minutes=5)
    before = store.article(url)
    assert before.version_count == 2
    source = store.version_source(before.id, 1)
    assert source is not None and source.body == b"<html>v1</html>" and source.seq == 1
    assert source.site == SITE and source.url == url

    cleaned = content("Body text.")
    assert store.reextract_version(before.id, 1, cleaned, reason="reextract") is True
    assert store.reextract_version(before.id, 1, cleaned, reason="reextract") is False
    assert store.reextract_version(before.id, 2, content("Edited body text."), reason="re-check")
    after = store.article(url)
    assert after.version_count == 2 and store.counts()["versions"] == 2
    assert [v.text for v in store.versions(after.id)] == ["Body text.", "Edited body text."]
    assert after.latest.text_hash == content("Edited body text.").text_hash
    assert store.search("newsletter") == []  # the current version was reindexed
    assert [h.article.id for h in store.search("edited")] == [after.id]
    history = store.reextractions(after.id)
    assert [(r.seq, r.reason, r.old_text) for r in history] == [
        (1, "reextract", "Body text. Sign up for our newsletter."),
        (2, "re-check", "Edited body text. Sign up for our newsletter."),
    ]
    # the next capture is compared with the re-extracted text: no version
    assert record(store, url, "Edited body text.", minutes=9).outcome == "unchanged"


def test_reextract_targets_know_which_articles_were_learned(store: Store) -> None:
    record(store, "https://news.example/a", "A.")
    record(store, "https://news.example/b", "B.")
    record(store, "https://elsewhere.example/c", "C.", site="elsewhere.example")
    store.learn_template(SITE, "https://news.example/b", ["x"])
    targets = store.reextract_targets(SITE)
    assert [(t.url, t.versions, t.learned) for t in targets] == [
        ("https://news.example/a", 1, False),
        ("https://news.example/b", 1, True),
    ]
    assert len(store.reextract_targets()) == 3


def _poll(store: Store, source_id: int, minute: int, words: list[int | None]) -> None:
    """A poll at ``minute`` that extracted pages of these word counts (None: no date)."""
    for n, count in enumerate(words):
        url = f"https://news.example/{minute}-{n}"
        fields = {"source_id": source_id, "words": count or 300, "dated": count is not None}
        if count == 0:
            store.record_failure(capture(url, minutes=minute, error="skipped: empty", words=0,
                                         source_id=source_id))  # fmt: skip
            continue
        store.record(
            replace(capture(url, minutes=minute), **fields),  # type: ignore[arg-type]
            f"<html>{url}</html>".encode(),
            urls=[url],
            canonical_url=url,
            site=SITE,
            content=content(f"text of {url}"),
        )
    store.record_poll(source_id, at=at(minute), found=len(words), new=len(words), error=None)


def test_extraction_health_flags_a_jump(store: Store) -> None:
    source = store.add_source(SourceSpec("feed", "feed", "https://news.example/rss", 60, None,
                                         None, None))  # fmt: skip
    for minute in range(0, 50, 10):  # five good polls
        _poll(store, source.id, minute, [900, 700, 800])
    calm = store.extraction_health()[source.id]
    assert (calm.polls, calm.extracted, calm.jumped) == (3, 9, False)
    assert calm.empty == calm.short == calm.dateless == 0.0
    for minute in range(50, 80, 10):  # a redesign: empty, teaser-only and dateless pages
        _poll(store, source.id, minute, [0, SHORT_WORDS - 1, None])
    health = store.extraction_health()[source.id]
    assert health.jumped
    assert (health.empty, health.short, health.dateless) == (1 / 3, 1 / 3, 1 / 3)
    assert health.baseline == (0.0, 0.0, 0.0)
    # a failed poll or one with nothing new records nothing
    store.record_poll(source.id, at=at(90), found=0, new=0, error="HTTP 500")
    store.record_poll(source.id, at=at(95), found=3, new=0, error=None)
    assert store.extraction_health()[source.id] == health
    store.remove_source("feed")  # its poll records go with it
    assert store.extraction_health() == {}
