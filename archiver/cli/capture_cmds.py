"""``archiver captures REF``: every fetch attempt of an article, newest first."""

from __future__ import annotations

import click

from archiver.capture_json import captures_json
from archiver.cli import render
from archiver.cli.app import AppContext, article_ref, cli, json_option, pass_app

DEFAULT_LIMIT = 100


@cli.command()
@click.argument("ref")
@click.option("--limit", type=click.IntRange(min=1), default=DEFAULT_LIMIT, show_default=True)
@json_option
@pass_app
def captures(app: AppContext, ref: str, limit: int, as_json: bool) -> None:
    """List an article's captures (by id or any of its URLs): time, status, final URL,
    body hash, error. `archiver web` shows what each one fetched at /captures/ID/raw."""
    with app.store() as store:
        article = article_ref(store, ref)
        found = store.captures(article.id, limit=limit)
    if as_json:
        click.echo(render.dumps(captures_json(article, found)))
        return
    click.echo(f"article {article.id}  {article.canonical_url}")
    for c in found:
        status = "-" if c.status is None else str(c.status)
        body = c.body_hash[:12] if c.body_hash else "-"
        line = f"{c.id:>6}  {render.stamp(c.fetched_at)}  {status:>3}  {body:<12}  "
        line += c.final_url or c.requested_url
        if c.error:
            line += f"  error: {c.error}"
        click.echo(line)
