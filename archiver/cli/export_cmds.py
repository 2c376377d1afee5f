"""``archiver export``: every archived article as a file."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.cli import export_stream, render
from archiver.cli.app import AppContext, cli, pass_app
from archiver.cli.read_cmds import _parse_since
from archiver.errors import ArchiverError, InputError
from archiver.export import article_path, exported_files, remove_stale, write_file
from archiver.identify import site_of

SUFFIXES = {"markdown": ".md", "text": ".txt", "json": ".json"}
STREAMS = {
    "jsonl": export_stream.export_jsonl,
    "warc": export_stream.export_warc,
    "wacz": export_stream.export_wacz,
}


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice([*SUFFIXES, *STREAMS]), default="markdown",
              show_default=True)  # fmt: skip
@click.option("--site", help="Only articles from this host.")
@click.option("--since", help="Only articles first seen at or after this date (ISO 8601).")
@pass_app
def export(app: AppContext, directory: Path, fmt: str, site: str | None, since: str | None) -> None:
    """Write each article's current version to DIRECTORY/<site>/<date>-<title>-<id>.<ext>.

    Exporting again into DIRECTORY replaces an article's file whose name changed
    (a new title or date): the old one is removed once the new one is written.

    --format jsonl writes DIRECTORY/archive.jsonl: one line per version, every
    version, `show --json` keys. --format warc writes DIRECTORY/archive.warc.gz:
    every capture's response and request (WARC/1.1); --format wacz packages that
    WARC as DIRECTORY/archive.wacz. DIRECTORY "-": standard output (jsonl, warc).
    """
    since_dt = _parse_since(since)
    site_filter = site_of(f"http://{site}/") if site else None
    if fmt in STREAMS:
        with app.store() as store:
            done = STREAMS[fmt](store, directory, site=site_filter, since=since_dt)
        export_stream.report(done, directory)
        return
    if str(directory) == "-":
        raise InputError(f"--format {fmt} writes one file per article: give a directory, not -")
    written = removed = 0
    try:
        before = exported_files(directory, SUFFIXES[fmt])
    except OSError as exc:
        raise ArchiverError(f"cannot read {directory}: {exc.strerror}") from exc
    with app.store() as store:
        summaries = store.list_articles(limit=2**31 - 1, site=site_filter, since=since_dt)
        for summary in summaries:
            article = store.article(summary.id)
            version = article.latest
            path = article_path(
                directory, site=article.site, title=version.title, article_id=article.id,
                published=version.published, suffix=SUFFIXES[fmt],
            )  # fmt: skip
            if fmt == "json":
                content = render.dumps(render.show_json(article, version)) + "\n"
            elif fmt == "markdown":
                content = render.show_markdown(article, version) + "\n"
            else:
                content = render.show_text(article, version) + "\n"
            try:
                write_file(path, content)
                removed += remove_stale(before.get(article.id, []), keep=path)
            except OSError as exc:
                raise ArchiverError(f"cannot write {path}: {exc.strerror}") from exc
            written += 1
    files = "file" if removed == 1 else "files"
    replaced = f"; removed {removed} old {files} whose name changed" if removed else ""
    click.echo(f"exported {written} articles to {directory}{replaced}")
