"""``archiver export --format wacz``: the WARC packaged by py-wacz, valid for ``wacz validate``."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from tests.fixtures.stories import EDIT, add_ok, serve_story
from tests.localsite import LocalSite

WACZ = str(Path(sys.executable).with_name("wacz"))


def test_wacz_validates_and_lists_one_page_per_article(
    cli: Any, site: LocalSite, tmp_path: Path
) -> None:
    harbour = serve_story(site, "/news/harbour", "Harbour report", gzipped=True)
    add_ok(cli, harbour, "new")
    serve_story(site, "/news/harbour", "Harbour report", edit=EDIT)
    add_ok(cli, harbour, "updated")
    mill = serve_story(site, "/news/mill", "Mill closure")
    add_ok(cli, mill, "new")
    target = tmp_path / "out"
    run = cli("export", str(target), "--format", "wacz")
    assert run.code == 0, run.err
    packed = target / "archive.wacz"
    assert run.out.strip() == f"exported 3 captures and 2 pages to {packed}"
    assert [p.name for p in target.iterdir()] == ["archive.wacz"]  # no work files left

    check = subprocess.run([WACZ, "validate", "-f", str(packed)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Validation succeeded" in check.stdout

    with zipfile.ZipFile(packed) as z:
        names = set(z.namelist())
        assert {"archive/archive.warc.gz", "pages/pages.jsonl", "datapackage.json"} <= names
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").splitlines()]
        index = z.read("indexes/index.cdx.gz")
    assert pages[0]["format"] == "json-pages-1.0"
    assert {(p["url"], p["title"]) for p in pages[1:]} == {
        (harbour, "Harbour report"),
        (mill, "Mill closure"),
    }
    assert index  # the CDXJ index py-wacz built from the WARC


def test_wacz_needs_a_directory(cli: Any, site: LocalSite) -> None:
    add_ok(cli, serve_story(site, "/a", "Harbour report"), "new")
    run = cli("export", "-", "--format", "wacz")
    assert run.code == 2
    assert "give a directory" in run.one_error_line()
