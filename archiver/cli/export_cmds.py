"""``archiver export``: every archived article as a file."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.cli import render
from archiver.cli.app import AppContext, cli, pass_app
from archiver.cli.read_cmds import _parse_since
from archiver.errors import ArchiverError
from archiver.export import article_path, write_file
from archiver.identify import site_of

SUFFIXES = {"markdown": ".md", "text": ".txt", "json": ".json"}


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(list(SUFFIXES)), default="markdown",
              show_default=True)  # fmt: skip
@click.option("--site", help="Only articles from this host.")
@click.option("--since", help="Only articles first seen at or after this date (ISO 8601).")
@pass_app
def export(app: AppContext, directory: Path, fmt: str, site: str | None, since: str | None) -> None:
    """Write each article's current version to DIRECTORY/<site>/<date>-<title>-<id>.<ext>."""
    since_dt = _parse_since(since)
    site_filter = site_of(f"http://{site}/") if site else None
    written = 0
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
            except OSError as exc:
                raise ArchiverError(f"cannot write {path}: {exc.strerror}") from exc
            written += 1
    click.echo(f"exported {written} articles to {directory}")
