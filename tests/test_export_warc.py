"""``archiver export --format warc``: every capture as response + request records, checked by
warcio's own tools (``warcio check``, ``warcio index``) against the stored body hashes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archiver.config import load_settings
from archiver.store import CaptureView, Store
from tests.fixtures.stories import EDIT, add_ok, serve_story, story_html
from tests.localsite import LocalSite

WARCIO = str(Path(sys.executable).with_name("warcio"))
FIELDS = (
    "warc-type,warc-target-uri,warc-payload-digest,warc-date,warc-record-id,warc-concurrent-to,"
    "http:status,http:content-length,http:content-encoding,http:x-archiver-original-content-encoding,"
    "http:x-archiver-headers,http:x-story,length,offset"
)


def captures() -> list[tuple[CaptureView, bytes]]:
    """Every capture of every article with its stored body, as the store has them."""
    with Store(load_settings().db_url) as store:
        found = []
        for summary in store.list_articles(limit=100):
            for c in store.captures(summary.id):
                found.append((c, store.body(c.body_hash) if c.body_hash else b""))
    return sorted(found, key=lambda pair: pair[0].id)


def index(path: Path) -> list[dict[str, Any]]:
    run = subprocess.run(
        [WARCIO, "index", "-f", FIELDS, str(path)], capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_every_capture_is_a_valid_response_and_request(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    harbour = serve_story(site, "/news/harbour", "Harbour report", gzipped=True, etag='"v1"')
    add_ok(cli, harbour, "new")
    add_ok(cli, harbour, "unchanged")  # a 304: the ETag matched
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT, gzipped=True, etag='"v2"')
    add_ok(cli, harbour, "updated")
    add_ok(cli, serve_story(site, "/news/mill", "Mill closure"), "new")
    stored = captures()
    assert [c.status for c, _ in stored] == [200, 304, 200, 200]
    run = cli("export", str(tmp_path / "out"), "--format", "warc")
    assert run.code == 0, run.err
    warc = tmp_path / "out" / "archive.warc.gz"
    assert run.out.strip() == f"exported 4 captures (9 WARC records) to {warc}"

    check = subprocess.run([WARCIO, "check", "-v", str(warc)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 9  # every record, the warcinfo too
    assert "fail" not in check.stdout

    records = index(warc)
    assert [r["warc-type"] for r in records] == ["warcinfo"] + ["response", "request"] * 4
    responses = records[1::2]
    for (capture, body), response, request in zip(stored, responses, records[2::2], strict=True):
        assert response["warc-target-uri"] == capture.final_url
        assert response["http:status"] == str(capture.status)
        assert response["http:content-length"] == str(len(body))
        assert request["warc-concurrent-to"] == response["warc-record-id"]
        assert request["warc-target-uri"] == capture.final_url
        assert response["warc-date"].startswith(capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%S"))
        if capture.body_hash is not None:  # the payload digest is the stored body hash
            assert hashlib.sha256(body).hexdigest() == capture.body_hash
            assert response["warc-payload-digest"] == f"sha256:{capture.body_hash}"
            assert b"quay 3" in body
    gz = responses[0]  # sent gzip-encoded; stored and exported decoded, the original kept aside
    assert "http:content-encoding" not in gz
    assert gz["http:x-archiver-original-content-encoding"] == "gzip"
    assert gz["http:x-story"] == "Harbour-report"  # headers as fetched, not synthesized
    assert "http:x-archiver-headers" not in gz
    assert responses[1]["http:content-length"] == "0"  # the 304, as it was

    with warc.open("rb") as fh:
        payloads = [
            r.content_stream().read() for r in ArchiveIterator(fh) if r.rec_type == "response"
        ]
    assert payloads == [body for _, body in stored]


def test_filters_and_standard_output(cli: Any, site: LocalSite, archiver_env: Path) -> None:
    add_ok(cli, serve_story(site, "/a", "Harbour report"), "new")
    archiver = str(Path(sys.executable).with_name("archiver"))
    run = subprocess.run([archiver, "export", "-", "--format", "warc"], capture_output=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.decode().strip() == "exported 1 captures (3 WARC records) to standard output"
    types = [r.rec_type for r in ArchiveIterator(BytesIO(run.stdout))]
    assert types == ["warcinfo", "response", "request"]
    for flag, value in (("--site", "elsewhere.example"), ("--since", "2999-01-01")):
        run2 = cli("export", str(archiver_env / "out"), "--format", "warc", flag, value)
        assert run2.out.startswith("exported 0 captures (1 WARC records)"), run2.err
        with (archiver_env / "out" / "archive.warc.gz").open("rb") as fh:
            assert [r.rec_type for r in ArchiveIterator(fh)] == ["warcinfo"]


def test_old_captures_get_a_synthesized_header_block(
    cli: Any, site: LocalSite, tmp_path: Path, archiver_env: Path
) -> None:
    add_ok(cli, serve_story(site, "/a", "Harbour report", etag='"e1"'), "new")
    db = sqlite3.connect(archiver_env / "archiver.db")  # as if recorded before revision 0005
    with db:
        assert db.execute("UPDATE capture SET headers = NULL").rowcount == 1
    db.close()
    assert cli("export", str(tmp_path), "--format", "warc").code == 0
    (response,) = [r for r in index(tmp_path / "archive.warc.gz") if r["warc-type"] == "response"]
    assert response["http:x-archiver-headers"] == "synthesized"
    assert "http:x-story" not in response
    assert response["http:content-length"] == str(len(story_html("Harbour report").encode()))
