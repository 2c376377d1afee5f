"""Corrections in place (re-extractions) on the history page and in the versions API,
with the text from before each correction reachable."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from archiver.store import Store
from tests.store.factories import content
from tests.web.data import Archive, populate

pytestmark = pytest.mark.anyio
FIXED = "The bridge opens on Tuesday.\nTraffic will be light.\nTolls apply from June."


@pytest.fixture
def archive(store: Store) -> Archive:
    made = populate(store)
    corrected = content(FIXED, title="Bridge opens a day late")
    assert store.reextract_version(made.edited, 2, corrected, reason="reextract")
    return made


async def test_history_page_lists_corrections_and_links_the_old_text(
    client: httpx.AsyncClient, archive: Archive
) -> None:
    page = await client.get(f"/articles/{archive.edited}/history")
    assert page.status_code == 200
    assert "1 correction in place" in page.text
    rows = re.findall(r'<tr class="correction">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 1 and "(reextract)" in rows[0] and "11 words before" in rows[0]
    link = re.search(r'href="([^"]+)">the text before the correction', rows[0])
    assert link and link.group(1) == f"/articles/{archive.edited}/reextractions/1"
    assert page.text.count("<tr>") - 1 == 2  # still two versions (plus the header row)

    old = await client.get(link.group(1))
    assert old.status_code == 200
    text = html.unescape(old.text)
    assert "Version 2 before its correction" in text
    assert "<p>Tolls apply.</p>" in text  # the text as first extracted
    assert "<ins>" in old.text and "June" in re.sub(r"<[^>]+>", "", text)  # what it changed
    assert (await client.get(f"/articles/{archive.edited}/reextractions/2")).status_code == 404
    plain = await client.get(f"/articles/{archive.ids[0]}/history")
    assert "correction" not in plain.text


async def test_versions_api_has_the_corrections_like_history_json(
    client: httpx.AsyncClient, archive: Archive, cli: object
) -> None:
    doc = (await client.get(f"/api/articles/{archive.edited}/versions")).json()
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    (row,) = doc["reextractions"]
    assert row["version"] == 2 and row["reason"] == "reextract" and row["number"] == 1
    assert row["old_words"] == 11 and row["old_title"] == "Bridge opens a day late"
    assert row["old_text_url"] == f"/api/articles/{archive.edited}/reextractions/1"
    shown = cli("history", str(archive.edited), "--json")  # type: ignore[operator]
    assert shown.code == 0, shown.err
    cli_row = shown.json()["reextractions"][0]
    assert {k: row[k] for k in cli_row} == cli_row  # the CLI's keys, the CLI's values

    old = (await client.get(row["old_text_url"])).json()
    assert old["old_text"] == "The bridge opens on Tuesday.\nTraffic will be light.\nTolls apply."
    assert old["version"] == 2 and old["words_added"] >= 2 and old["words_removed"] >= 1
    missing = await client.get(f"/api/articles/{archive.edited}/reextractions/9")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    none = (await client.get(f"/api/articles/{archive.ids[0]}/versions")).json()
    assert none["reextractions"] == []
