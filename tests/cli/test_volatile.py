"""Volatile blocks end to end: a ticking or rotating box is never an edit, an edit is.

Each ``add`` of a URL already archived is a re-check of it (the same pipeline
the daemon's ladder runs), against a local site whose pages the test changes.
"""

from __future__ import annotations

from typing import Any

from archiver.archive.chrome import page_blocks, version_in
from archiver.config import load_settings
from archiver.extract import extract_page
from archiver.extract.blocks import fingerprint
from archiver.identify import site_of
from archiver.store import Store
from tests.fixtures.boxes import HEADLINES, PARAGRAPHS, PLACES, STAMP_LABEL, page, stamp
from tests.localsite import LocalSite
from tests.store.factories import capture

EDIT = "Negotiators will resume working-level talks in Stockholm on Friday, officials said."


def serve(site: LocalSite, number: int, **knobs: Any) -> str:
    path = f"/news/report-{number}"
    site.set(path, page(number, **knobs))
    return site.url(path)


def versions(cli: Any, url: str) -> list[int]:
    return [v["version"] for v in cli("history", "--json", url).json()["versions"]]


def text(cli: Any, url: str) -> str:
    return str(cli("show", "--json", url).json()["text"])


def learned(site: str) -> dict[str, int]:
    """What the host learned about the stamp (prints) and about the box (slots)."""
    prints = [fingerprint(stamp(0)), fingerprint("Most read")]
    with Store(load_settings().db_url) as store:
        counts = store.template_counts(site, "", prints)
    return {"prints": len(counts.volatile), "slots": len(counts.slots)}


def test_a_ticking_stamp_after_the_body_makes_one_version(cli: Any, site: LocalSite) -> None:
    url = serve(site, 1)
    assert cli("add", "--json", url).json()["outcome"] == "new"
    assert stamp(0) in text(cli, url)  # one page of the host: nothing says it is chrome yet
    for tick in (41, 97, 3600):
        serve(site, 1, tick=tick)
        row = cli("add", "--json", url).json()
        assert (row["outcome"], row["version"]) == ("unchanged", 1)
    assert versions(cli, url) == [1]
    # version 1 was corrected in place: the stamp is gone from the archived text
    kept = text(cli, url)
    assert STAMP_LABEL not in kept
    assert "Most read" in kept and HEADLINES[0] in kept  # the rest of the box did not tick
    history = cli("history", "--json", url).json()
    assert "volatile" in {r["reason"] for r in history["reextractions"]}


def test_an_updated_at_line_the_extractor_reads_never_reaches_the_archive(
    cli: Any, site: LocalSite
) -> None:
    """ "Updated at 03:54:13" and headlines with their ages say what they are: the
    extractor drops them on the first fetch, so nothing has to be learned and no
    version is ever made of them (nor corrected in place)."""
    path = "/news/report-40"
    site.set(path, page(40, label="Updated at", ages=True, links=True))
    url = site.url(path)
    assert cli("add", "--json", url).json()["outcome"] == "new"
    for tick in (41, 97, 3600):
        site.set(path, page(40, tick=tick, rotate=tick, label="Updated at", ages=True, links=True))
        row = cli("add", "--json", url).json()
        assert (row["outcome"], row["version"]) == ("unchanged", 1)
    kept = text(cli, url)
    assert "Updated at" not in kept and "min ago" not in kept and kept.count("(report") == 5
    assert cli("history", "--json", url).json()["reextractions"] == []


def test_an_edit_next_to_the_stamp_is_a_version(cli: Any, site: LocalSite) -> None:
    url = serve(site, 2)
    cli("add", url)
    serve(site, 2, tick=30)
    assert cli("add", "--json", url).json()["outcome"] == "unchanged"
    serve(site, 2, tick=60, edit=EDIT)
    row = cli("add", "--json", url).json()
    assert (row["outcome"], row["version"]) == ("updated", 2)
    diff = cli("diff", "--json", url).json()
    inserted = " ".join(op["text"] for op in diff["ops"] if op["op"] == "insert")
    assert "Stockholm" in inserted and STAMP_LABEL not in inserted
    # an edit of the stamp's own line is not volatile either: only its time may move
    site.set("/news/report-2", page(2, tick=90, edit=EDIT).replace(STAMP_LABEL, "Corrected at"))
    assert cli("add", "--json", url).json()["outcome"] == "updated"


def test_what_one_article_taught_is_removed_from_the_hosts_other_articles(
    cli: Any, site: LocalSite
) -> None:
    first = serve(site, 3)
    cli("add", first)
    serve(site, 3, tick=5)
    cli("add", first)
    assert learned("127.0.0.1")["prints"] >= 1
    later = [serve(site, n, tick=n) for n in (4, 5, 6, 7)]
    rows = cli("add", "--json", *later).json_lines()
    assert [r["outcome"] for r in rows] == ["new"] * 4
    for url in later:
        assert STAMP_LABEL not in text(cli, url)
        assert "(report" in text(cli, url)


def test_a_box_on_many_articles_of_the_host_leaves_their_text(cli: Any, site: LocalSite) -> None:
    urls = [serve(site, n, tick=n) for n in range(10, 16)]
    cli("add", *urls)
    cli("add", *urls)  # what the host repeats is now known; re-checks clean it away
    for n in range(10, 16):
        serve(site, n, tick=100 + n)
    rows = cli("add", "--json", *urls).json_lines()
    assert [r["outcome"] for r in rows] == ["unchanged"] * 6
    for url in urls:
        kept = text(cli, url)
        assert STAMP_LABEL not in kept and "Most read" not in kept
        assert all(h not in kept for h in HEADLINES[:3])
        assert kept.count("(report") == 5  # every paragraph of the article is still there


def test_a_rotating_box_is_learned_as_a_slot_and_its_versions_corrected(
    cli: Any, site: LocalSite
) -> None:
    url = serve(site, 20, rotate=0)
    cli("add", url)
    serve(site, 20, rotate=1)
    # once: the headlines changed and nothing says they are not news
    assert cli("add", "--json", url).json()["outcome"] == "updated"
    serve(site, 20, rotate=2)
    row = cli("add", "--json", url).json()  # twice in a row, at the same place: a slot
    assert (row["outcome"], row["version"]) == ("unchanged", 2)
    assert learned("127.0.0.1")["slots"] == 1
    v1, v2 = (cli("show", "--json", url, "--version", str(n)).json()["text"] for n in (1, 2))
    assert v1 == v2  # both corrected in place: the version numbers stay, the text is the article's
    assert all(h not in v2 for h in HEADLINES) and v2.count("(report") == 5
    serve(site, 20, rotate=3, edit=EDIT)
    assert cli("add", "--json", url).json()["outcome"] == "updated"
    assert EDIT in text(cli, url)


def test_a_rail_of_headlines_with_their_ages_is_learned_on_its_first_rotation(
    cli: Any, site: LocalSite
) -> None:
    url = serve(site, 25, rotate=0, ages=True)
    cli("add", url)
    serve(site, 25, rotate=1, ages=True, tick=300)
    row = cli("add", "--json", url).json()
    assert (row["outcome"], row["version"]) == ("unchanged", 1)
    kept = text(cli, url)
    assert "min ago" not in kept and STAMP_LABEL not in kept
    assert kept.count("(report") == 5
    other = serve(site, 26, rotate=2, ages=True, tick=900)  # rail headlines learned for the host
    cli("add", other)
    assert STAMP_LABEL not in text(cli, other) and text(cli, other).count("(report") == 5


def test_status_shows_articles_flagged_for_tiny_versions_in_a_row(
    cli: Any, site: LocalSite
) -> None:
    url = serve(site, 30)
    cli("add", url)
    # a paragraph rewritten (not tiny), then one word that keeps changing (no clock, no rule)
    for word in ("Friday", "Saturday", "Sunday", "Monday"):
        serve(site, 30, edit=f"Negotiators will resume the talks on {word}, officials said.")
        assert cli("add", "--json", url).json()["outcome"] == "updated"
    status = cli("status", "--json").json()
    assert status["rechecks"]["flagged"] == 1
    (flag,) = status["rechecks"]["flagged_articles"]
    assert (flag["url"], flag["tiny_streak"]) == (url, 3)
    assert "1 articles flagged" in cli("status").out
    site.set("/news/report-30", "gone", status=404, content_type="text/plain")
    assert cli("add", url).code != 0
    status = cli("status", "--json").json()
    assert status["rechecks"]["failing"] == 1
    assert status["rechecks"]["failing_articles"][0]["error"].startswith("HTTP 404")


def test_reextract_repairs_an_archive_that_holds_false_versions(cli: Any, site: LocalSite) -> None:
    """Versions that an earlier release made of a ticking stamp: recorded as it did."""
    url = serve(site, 40)
    with Store(load_settings().db_url) as store:
        for n, tick in enumerate((0, 40, 80, 120)):
            body = page(40, tick=tick).encode()
            extracted = extract_page(body, url)
            content = version_in(extracted, page_blocks(extracted)[0])
            store.record(capture(url, minutes=n), body, urls=(url,), canonical_url=url,
                         site=site_of(url), content=content)  # fmt: skip
    assert versions(cli, url) == [1, 2, 3, 4]
    done = cli("reextract", "--json", "--all").json()
    assert done["volatile"] >= 1 and done["reextracted"] == 4
    texts = [cli("show", "--json", url, "--version", str(n)).json()["text"] for n in (1, 2, 3, 4)]
    assert len(set(texts)) == 1  # numbers kept; each now holds the article without the stamp
    assert STAMP_LABEL not in texts[0] and texts[0].count("(report") == 5
    serve(site, 40, tick=500)
    assert cli("add", "--json", url).json()["outcome"] == "unchanged"


def cell_page(number: int, tick: int, readers: int, edit: str = "") -> str:
    """An old table layout: the whole article in one cell, the box's text run into it."""
    place = PLACES[number % len(PLACES)]
    words = " ".join(f"In {place}, {p[0].lower()}{p[1:]}" for p in PARAGRAPHS * 4)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Cell report {number}</title></head><body><table><tr><td class='text'>"
        f"{words} {edit} Most read {readers:,} readers right now {stamp(tick)}"
        "</td></tr></table></body></html>"
    )


def test_a_stamp_run_into_the_articles_one_long_block_makes_no_version(
    cli: Any, site: LocalSite
) -> None:
    site.set("/news/cell-1", cell_page(1, 0, 12_345))
    url = site.url("/news/cell-1")
    cli("add", url)
    (block,) = text(cli, url).split("\n\n")
    assert stamp(0) in block and len(block.split()) > 200  # one block: no line to pair
    for tick, readers in ((41, 9_876), (97, 23_001)):
        site.set("/news/cell-1", cell_page(1, tick, readers))
        row = cli("add", "--json", url).json()
        assert (row["outcome"], row["version"]) == ("unchanged", 1)
    site.set("/news/cell-1", cell_page(1, 130, 8_000, edit=EDIT))
    row = cli("add", "--json", url).json()  # a sentence added in the same block: an edit
    assert (row["outcome"], row["version"]) == ("updated", 2)
    assert "Stockholm" in text(cli, url)
