"""``archiver export --format jsonl|warc|wacz``: one stream or one file for the whole export.

``DIRECTORY`` ``-`` writes a JSONL or WARC stream to standard output; otherwise
``DIRECTORY/archive.jsonl``, ``archive.warc.gz`` or ``archive.wacz`` is written
to a temporary name and renamed into place (an interrupted export leaves the
old file, never half a new one).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import click

from archiver import export_jsonl as jsonl
from archiver import export_wacz as wacz
from archiver.errors import ArchiverError, InputError
from archiver.export_warc import WarcWriter
from archiver.store import CaptureView, Store

FILES = {"jsonl": "archive.jsonl", "warc": "archive.warc.gz", "wacz": "archive.wacz"}
BATCH = 200


@contextmanager
def output(directory: Path, name: str) -> Iterator[BinaryIO]:
    """Standard output for ``-``, else a temporary file renamed to ``directory/name`` at the end."""
    if str(directory) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = directory / name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or directory.is_symlink():
            raise ArchiverError(f"refusing to write through a symbolic link: {path}")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".tmp")
    except OSError as exc:
        raise ArchiverError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ArchiverError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _where(directory: Path, fmt: str) -> str:
    return "standard output" if str(directory) == "-" else str(directory / FILES[fmt])


def export_jsonl(store: Store, directory: Path, *, site: str | None, since: datetime | None) -> str:
    lines = 0
    with output(directory, FILES["jsonl"]) as out:
        for row in jsonl.rows(store, jsonl.filtered_ids(store, site=site, since=since)):
            out.write(jsonl.line(row).encode("utf-8"))
            lines += 1
    return f"exported {lines} versions to {_where(directory, 'jsonl')}"


def write_captures(
    store: Store, writer: WarcWriter, *, site: str | None, since: datetime | None,
    newest: dict[int, CaptureView] | None = None,
) -> int:  # fmt: skip
    """Every capture of the filtered articles that has a stored body (or is a 304);
    ``newest`` collects each article's newest capture with a body."""
    count, after = 0, 0
    while batch := store.export_captures(site=site, since=since, after=after, limit=BATCH):
        for capture in batch:
            body = store.body(capture.body_hash) if capture.body_hash else b""
            writer.add(capture, body)
            count += 1
            if newest is not None and capture.body_hash and capture.article_id is not None:
                known = newest.get(capture.article_id)
                if known is None or known.fetched_at <= capture.fetched_at:
                    newest[capture.article_id] = capture
        after = batch[-1].id
    return count


def export_warc(store: Store, directory: Path, *, site: str | None, since: datetime | None) -> str:
    with output(directory, FILES["warc"]) as out:
        writer = WarcWriter(out, filename=FILES["warc"], description=_description(site, since))
        count = write_captures(store, writer, site=site, since=since)
    return (
        f"exported {count} captures ({writer.records} WARC records) to {_where(directory, 'warc')}"
    )


def export_wacz(store: Store, directory: Path, *, site: str | None, since: datetime | None) -> str:
    if str(directory) == "-":
        raise InputError("--format wacz is a zip file: give a directory, not -")
    newest: dict[int, CaptureView] = {}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=directory, prefix=".export-"))
    except OSError as exc:
        raise ArchiverError(f"cannot write {directory}: {exc.strerror}") from exc
    try:
        warc = work / FILES["warc"]
        with warc.open("wb") as out:
            writer = WarcWriter(out, filename=warc.name, description=_description(site, since))
            count = write_captures(store, writer, site=site, since=since, newest=newest)
        titles = {
            s.id: s.title for s in store.list_articles(limit=2**31 - 1, site=site, since=since)
        }
        with output(directory, FILES["wacz"]) as out:
            packed = work / FILES["wacz"]
            wacz.package(warc, wacz.pages_lines(newest, titles), packed, title="archiver export")
            with packed.open("rb") as fh:
                shutil.copyfileobj(fh, out)
    except OSError as exc:
        raise ArchiverError(f"cannot write {directory}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pages = len(newest)
    return f"exported {count} captures and {pages} pages to {directory / FILES['wacz']}"


def _description(site: str | None, since: datetime | None) -> str:
    filters = [f"site={site}" if site else "", f"since={since.isoformat()}" if since else ""]
    return f"archiver export ({', '.join(f for f in filters if f) or 'all articles'})"


def report(message: str, directory: Path) -> None:
    """The summary line: on stderr when the export itself went to standard output."""
    click.echo(message, err=str(directory) == "-")
