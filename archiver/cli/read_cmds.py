"""Commands that only read the archive: show, history, diff, list, search."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from archiver.cli import render
from archiver.cli.app import AppContext, article_ref, cli, pass_app, use_color
from archiver.errors import InputError
from archiver.identify import site_of
from archiver.version import diff_versions, word_count

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@cli.command()
@click.argument("ref")
@click.option("--version", "seq", type=click.IntRange(min=1), help="Show version N.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@json_option
@pass_app
def show(app: AppContext, ref: str, seq: int | None, fmt: str, as_json: bool) -> None:
    """Show an archived article (by id or any of its URLs)."""
    with app.store() as store:
        article = article_ref(store, ref)
        version = store.version(article.id, seq) if seq else article.latest
    if as_json or fmt == "json":
        click.echo(render.dumps(render.show_json(article, version)))
    elif fmt == "markdown":
        click.echo(render.show_markdown(article, version))
    else:
        click.echo(render.show_text(article, version))


@cli.command()
@click.argument("ref")
@json_option
@pass_app
def history(app: AppContext, ref: str, as_json: bool) -> None:
    """List every version of an article with its time and size change."""
    with app.store() as store:
        article = article_ref(store, ref)
        versions = store.versions(article.id)
        redone = store.reextractions(article.id)
    doc = render.history_json(article, versions)
    # Re-extractions (archiver reextract, or a re-check after a template was
    # learned) corrected a version in place: listed, but not versions.
    doc["reextractions"] = [
        {"version": r.seq, "created": render.iso(r.created_at), "reason": r.reason,
         "old_words": word_count(r.old_text), "old_text_hash": r.old_text_hash}
        for r in redone
    ]  # fmt: skip
    if as_json:
        click.echo(render.dumps(doc))
        return
    click.echo(f"article {article.id}  {article.canonical_url}")
    for row in doc["versions"]:
        click.echo(render.history_text(row))
        for r in (r for r in doc["reextractions"] if r["version"] == row["version"]):
            was = f"{r['old_words']} words before"
            click.echo(f"      re-extracted {r['created']} ({r['reason']}): {was}")


@cli.command()
@click.argument("ref")
@click.option(
    "--from", "from_seq", type=click.IntRange(min=1), help="Older version (default: previous)."
)
@click.option("--to", "to_seq", type=click.IntRange(min=1), help="Newer version (default: latest).")
@json_option
@pass_app
def diff(
    app: AppContext, ref: str, from_seq: int | None, to_seq: int | None, as_json: bool
) -> None:
    """Word-level diff between two versions of an article."""
    with app.store() as store:
        article = article_ref(store, ref)
        to_seq = to_seq or article.version_count
        from_seq = from_seq or max(1, to_seq - 1)
        old, new = store.version(article.id, from_seq), store.version(article.id, to_seq)
    result = diff_versions(old, new)
    if as_json:
        click.echo(render.dumps(render.diff_json(result)))
    else:
        click.echo(render.diff_text(result, color=use_color()))


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"--since: not an ISO date or datetime: {value!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@cli.command(name="list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--site", help="Only articles from this host.")
@click.option("--since", help="Only articles first seen at or after this date (ISO 8601).")
@json_option
@pass_app
def list_(app: AppContext, limit: int, site: str | None, since: str | None, as_json: bool) -> None:
    """List archived articles, newest first."""
    since_dt = _parse_since(since)
    site_filter = site_of(f"http://{site}/") if site else None
    with app.store() as store:
        items = store.list_articles(limit=limit, site=site_filter, since=since_dt)
    for item in items:
        click.echo(
            render.dumps(render.summary_json(item)) if as_json else render.summary_text(item)
        )


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@pass_app
def search(app: AppContext, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over titles and clean text, best matches first."""
    if not query.strip():
        raise InputError("search: empty query")
    with app.store() as store:
        hits = store.search(query, limit=limit)
    for hit in hits:
        if as_json:
            click.echo(render.dumps(render.search_json(hit)))
        else:
            click.echo(render.search_text(hit, color=use_color()))
