"""A WARC export packaged as WACZ 1.1.1 with py-wacz: what ``--format wacz`` writes.

The WARC (``archive/archive.warc.gz``, as ``--format warc`` writes it) goes in
with its CDXJ index, a ``pages/pages.jsonl`` listing one page per article (the
URL and time of its newest exported capture with a body, and its title, so a
replay tool such as ReplayWeb.page opens on it), and the ``datapackage.json``
with the SHA-256 of every file. py-wacz does the packaging; it talks only to
the files given to it (no signing server is used).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable
from pathlib import Path

from wacz.main import main as wacz_main

from archiver.browse_json import iso
from archiver.errors import ArchiverError
from archiver.records.articles import CaptureView

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def pages_lines(newest: dict[int, CaptureView], titles: dict[int, str | None]) -> Iterable[str]:
    """pages.jsonl: the header line, then one page per article."""
    yield json.dumps({**PAGES_HEADER, "hasText": False})
    for article_id, capture in sorted(newest.items()):
        page = {
            "id": f"article-{article_id}",
            "url": capture.final_url or capture.requested_url,
            "ts": iso(capture.fetched_at),
            "title": titles.get(article_id) or "",
        }
        yield json.dumps(page, ensure_ascii=False)


def package(warc: Path, pages: Iterable[str], out: Path, *, title: str) -> None:
    """Write the WACZ file ``out`` from ``warc`` and the pages lines (py-wacz's own checks)."""
    listed = warc.with_name("pages.jsonl")
    listed.write_text("\n".join(pages) + "\n", encoding="utf-8")
    args = ["create", "-o", str(out), "-p", str(listed), "-c", "--hash-type", "sha256",
            "--title", title, str(warc)]  # fmt: skip
    said = io.StringIO()
    with contextlib.redirect_stdout(said):  # py-wacz prints its progress
        code = wacz_main(args)
    if code != 0:
        raise ArchiverError(f"packaging the WACZ failed: {said.getvalue().strip()[-300:]}")
