"""Syndication clusters end to end: pages fetched from local sites, `show --json`,
`list --clusters`, and `reextract` signing an archive recorded before clusters.

The local site serves the four seed stories (four different stories on one topic:
the Trump-Kim meetings); a second host (127.0.0.2, another site) serves wire copies
of two of them under its own chrome, one sentence edited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.seedpages import seed_ids, seed_page
from tests.fixtures.wire import wire_page
from tests.localsite import LocalSite

COPIED = (3, 1)  # the seeds the wire copies


@pytest.fixture
def wire() -> Iterator[LocalSite]:
    with LocalSite("127.0.0.2") as s:
        yield s


def _serve(site: LocalSite, wire: LocalSite, seeds: tuple[int, ...] = (0, 1, 2, 3)) -> None:
    for n in seeds:
        site.set(f"/news/{n}", seed_page(n, url=site.url(f"/news/{n}")).html)
    for n in COPIED:
        wire.set(f"/wire/{n}", wire_page(n, wire.url(f"/wire/{n}")))


def _add(cli: Any, *urls: str) -> dict[str, int]:
    done = cli("add", "--json", *urls).json_lines()
    assert {r["outcome"] for r in done} == {"new"}, done
    return {r["url"]: r["article_id"] for r in done}


def _archive(cli: Any, site: LocalSite, wire: LocalSite) -> tuple[dict[int, int], dict[int, int]]:
    """Article ids of the local stories and of the wire copies, by seed."""
    _serve(site, wire)
    ids = _add(cli, *(site.url(f"/news/{n}") for n in seed_ids()),
               *(wire.url(f"/wire/{n}") for n in COPIED))  # fmt: skip
    local = {n: ids[site.url(f"/news/{n}")] for n in seed_ids()}
    return local, {n: ids[wire.url(f"/wire/{n}")] for n in COPIED}


def _near(cli: Any, ref: int | str, *args: str) -> list[dict[str, Any]]:
    doc = cli("show", "--json", str(ref), *args).json()
    near: list[dict[str, Any]] = doc["near_duplicates"]
    return near


def test_a_wire_copy_is_clustered_with_the_local_article_both_ways(
    cli: Any, site: LocalSite, wire: LocalSite
) -> None:
    local, copies = _archive(cli, site, wire)
    for n in COPIED:
        there, back = _near(cli, local[n]), _near(cli, copies[n])
        assert [(d["article_id"], d["url"], d["site"]) for d in there] == [
            (copies[n], wire.url(f"/wire/{n}"), "127.0.0.2")
        ]
        assert [(d["article_id"], d["url"], d["site"]) for d in back] == [
            (local[n], site.url(f"/news/{n}"), "127.0.0.1")
        ]
        assert (
            0.8 <= there[0]["similarity"] <= 1 and there[0]["similarity"] == back[0]["similarity"]
        )
    local_text = cli("show", "--json", str(local[3])).json()["text"]
    wire_text = cli("show", "--json", str(copies[3])).json()["text"]
    assert local_text != wire_text and "Harbour Wire" not in wire_text  # a copy, not chrome


def test_different_stories_on_one_topic_are_not_clustered(
    cli: Any, site: LocalSite, wire: LocalSite
) -> None:
    _serve(site, wire)
    ids = _add(cli, *(site.url(f"/news/{n}") for n in seed_ids()))
    texts = [cli("show", "--json", str(i)).json()["text"] for i in ids.values()]
    assert all("Kim" in t and "Trump" in t for t in texts)  # one topic, the same names
    assert [_near(cli, i) for i in ids.values()] == [[], [], [], []]
    assert cli("list", "--clusters").out == "no clusters\n"
    assert cli("list", "--clusters", "--json").json() == []
    copies = _add(cli, *(wire.url(f"/wire/{n}") for n in COPIED))  # the control: copies do
    local = {n: ids[site.url(f"/news/{n}")] for n in seed_ids()}
    assert [d["article_id"] for d in _near(cli, local[1])] == [copies[wire.url("/wire/1")]]
    assert _near(cli, local[0]) == [] and _near(cli, local[2]) == []


def test_own_versions_are_never_near_duplicates(cli: Any, site: LocalSite, wire: LocalSite) -> None:
    local, copies = _archive(cli, site, wire)
    story = seed_page(3, url=site.url("/news/3"))
    edit = story.paragraphs[-1] + " Officials declined to comment further."
    site.set("/news/3", seed_page(3, url=site.url("/news/3"), edit=edit).html)
    again = cli("add", "--json", site.url("/news/3")).json()
    assert (again["outcome"], again["article_id"], again["version"]) == ("updated", local[3], 2)
    for args in ((), ("--version", "1")):
        assert [d["article_id"] for d in _near(cli, local[3], *args)] == [copies[3]]
    assert [d["article_id"] for d in _near(cli, copies[3])] == [local[3]]


def test_list_clusters_groups_them(cli: Any, site: LocalSite, wire: LocalSite) -> None:
    local, copies = _archive(cli, site, wire)
    found = cli("list", "--clusters", "--json").json()
    assert {frozenset(a["article_id"] for a in c["articles"]) for c in found} == {
        frozenset({local[1], copies[1]}),
        frozenset({local[3], copies[3]}),
    }
    newest = [c["articles"][0]["first_seen"] for c in found]
    assert newest == sorted(newest, reverse=True)  # newest cluster first
    assert all(len(c["links"]) == 1 and c["links"][0]["similarity"] >= 0.8 for c in found)
    text = cli("list", "--clusters")
    lines = text.out.splitlines()
    assert text.code == 0 and len(lines) == 6
    assert lines[0] == "cluster 1: 2 articles, one story"
    assert lines[3] == "cluster 2: 2 articles, one story"
    first = {int(line.split()[0]) for line in lines[1:3]}
    assert first == {a["article_id"] for a in found[0]["articles"]}
    assert "127.0.0.2" in text.out and "127.0.0.1" in text.out
    only_wire = cli("list", "--clusters", "--jsonl", "--site", "127.0.0.2").json_lines()
    assert len(only_wire) == 2  # the listed articles' clusters, with members of any site
    assert {a["site"] for c in only_wire for a in c["articles"]} == {"127.0.0.1", "127.0.0.2"}


def test_reextract_signs_an_archive_recorded_before_clusters(
    cli: Any, site: LocalSite, wire: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(site, wire, seeds=(3,))
    monkeypatch.setenv("ARCHIVER_CLUSTERS__ENABLED", "false")  # as if before revision 0010
    ids = _add(cli, site.url("/news/3"), wire.url("/wire/3"))
    local, copy = ids[site.url("/news/3")], ids[wire.url("/wire/3")]
    monkeypatch.delenv("ARCHIVER_CLUSTERS__ENABLED")
    assert _near(cli, local) == []  # no signatures yet
    done = cli("reextract", "--json", "--all")
    assert done.code == 0, done.err
    assert done.json()["signed"] == 2
    assert [d["article_id"] for d in _near(cli, local)] == [copy]
    assert cli("reextract", "--json", "--all").json()["signed"] == 0
