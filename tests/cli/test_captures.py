"""``archiver captures REF``: every fetch attempt of an article, newest first, text or JSON."""

from __future__ import annotations

from typing import Any

from archiver.config import load_settings
from archiver.store import Store
from tests.fixtures.stories import EDIT, add_ok, serve_story
from tests.localsite import LocalSite

KEYS = {"capture_id", "fetched_at", "status", "requested_url", "final_url", "content_type",
        "body_hash", "error", "raw"}  # fmt: skip


def test_captures_lists_time_status_url_hash_and_error(cli: Any, site: LocalSite) -> None:
    url = serve_story(site, "/news/harbour", "Harbour report", etag='"v1"')
    site.redirect("/short", url)
    article_id = add_ok(cli, site.url("/short"), "new")["article_id"]
    add_ok(cli, url, "unchanged")  # a 304
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT)
    add_ok(cli, url, "updated")
    site.set("/news/harbour", "down", status=503, content_type="text/plain")
    assert cli("add", url).code != 0

    run = cli("captures", url, "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert (doc["article_id"], doc["url"]) == (article_id, url)
    rows = doc["captures"]
    assert all(set(r) == KEYS for r in rows)
    assert [r["status"] for r in rows] == [None, 200, 304, 200]  # newest first
    failed, updated, not_modified, first = rows
    assert "503" in failed["error"] and failed["body_hash"] is None and failed["raw"] is None
    assert first["requested_url"] == site.url("/short") and first["final_url"] == url
    assert not_modified["body_hash"] is None and not_modified["error"] is None
    with Store(load_settings().db_url) as store:
        bodies = {r["body_hash"]: store.body(r["body_hash"]) for r in (first, updated)}
    assert EDIT.encode() in bodies[updated["body_hash"]]
    assert EDIT.encode() not in bodies[first["body_hash"]]
    assert updated["raw"] == f"/captures/{updated['capture_id']}/raw"
    assert rows[0]["fetched_at"] >= rows[1]["fetched_at"] >= rows[3]["fetched_at"]

    text = cli("captures", str(article_id))
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0] == f"article {article_id}  {url}"
    assert len(lines) == 5
    assert "error: " in lines[1] and "503" in lines[1]
    assert updated["body_hash"][:12] in lines[2] and " 200 " in lines[2]
    assert " 304 " in lines[3]
    assert cli("captures", str(article_id), "--limit", "1", "--json").json()["captures"] == [failed]


def test_unknown_article(cli: Any, site: LocalSite) -> None:
    add_ok(cli, serve_story(site, "/a", "Harbour report"), "new")
    run = cli("captures", "12345")
    assert run.code == 1
    assert "12345" in run.one_error_line()
