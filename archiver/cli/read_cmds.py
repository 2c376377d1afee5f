"""Commands that only read the archive: show, history, diff, list, search."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from archiver.cli import render
from archiver.cli.app import (
    AppContext,
    article_ref,
    cli,
    color_option,
    echo_rows,
    json_option,
    jsonl_option,
    parse_ref,
    pass_app,
    use_color,
)
from archiver.cli.diff_text import diff_text
from archiver.errors import InputError
from archiver.identify import site_of
from archiver.store.search import QUERY_SYNTAX
from archiver.version import diff_versions, word_count
from archiver.version.diff import excerpt

DEFAULT_CONTEXT = 1


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
    parse_ref(ref)
    with app.store() as store:
        article = article_ref(store, ref)
        version = store.version(article.id, seq) if seq else article.latest
        near = store.near_duplicates(article.id) if as_json or fmt == "json" else None
    if as_json or fmt == "json":
        click.echo(render.dumps(render.show_json(article, version, near)))
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
    parse_ref(ref)
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
    for row, version in zip(doc["versions"], versions, strict=True):
        click.echo(render.history_text(row, version))
        for r in (r for r in redone if r.seq == version.seq):
            was = f"{word_count(r.old_text)} words before"
            click.echo(f"      re-extracted {render.stamp(r.created_at)} ({r.reason}): {was}")


@cli.command()
@click.argument("ref")
@click.option(
    "--from", "from_seq", type=click.IntRange(min=1), help="Older version (default: previous)."
)
@click.option("--to", "to_seq", type=click.IntRange(min=1), help="Newer version (default: latest).")
@click.option(
    "--context",
    type=click.IntRange(min=0),
    help=f"Unchanged paragraphs shown around each change (default: {DEFAULT_CONTEXT}).",
)
@click.option("--full", is_flag=True, help="Show the whole text, not only the changes.")
@color_option
@json_option
@pass_app
def diff(
    app: AppContext,
    ref: str,
    from_seq: int | None,
    to_seq: int | None,
    context: int | None,
    full: bool,
    color: str,
    as_json: bool,
) -> None:
    """Word-level diff between two versions of an article: the changed paragraphs.

    --json always has every operation (the whole text), whatever --context says.
    """
    if full and context is not None:
        raise click.UsageError("give --context N or --full, not both")
    parse_ref(ref)
    with app.store() as store:
        article = article_ref(store, ref)
        to_seq = to_seq or article.version_count
        from_seq = from_seq or max(1, to_seq - 1)
        old, new = store.version(article.id, from_seq), store.version(article.id, to_seq)
    result = diff_versions(old, new)
    if as_json:
        click.echo(render.dumps(render.diff_json(result)))
    elif article.version_count == 1:
        click.echo(
            f"article {article.id} has only one version ({render.stamp(old.created_at)}): "
            f"nothing to compare; `archiver show {article.id}` prints its text"
        )
    else:
        around = DEFAULT_CONTEXT if context is None else context
        shown = excerpt(result.ops, None if full else around)
        colored = use_color(color)  # click.echo strips colour off a pipe unless told not to
        click.echo(diff_text(result, old, new, shown, color=colored), color=colored)


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
@click.option(
    "--clusters",
    "grouped",
    is_flag=True,
    help="Group the listed articles with their near duplicates (any site): one story each.",
)
@json_option
@jsonl_option
@pass_app
def list_(
    app: AppContext,
    limit: int,
    site: str | None,
    since: str | None,
    grouped: bool,
    as_json: bool,
    jsonl: bool,
) -> None:
    """List archived articles, newest first (--json: one array).

    --clusters: only the syndication clusters among them, each with every article
    of it (whatever --site), newest cluster first; `no clusters` when none.
    """
    since_dt = _parse_since(since)
    site_filter = site_of(f"http://{site}/") if site else None
    with app.store() as store:
        items = store.list_articles(limit=limit, site=site_filter, since=since_dt)
        found = store.clusters([item.id for item in items]) if grouped else []
    if grouped:
        if as_json or jsonl:
            echo_rows((render.cluster_json(c) for c in found), jsonl=jsonl)
        elif found:
            click.echo("\n".join(render.cluster_text(n, c) for n, c in enumerate(found, 1)))
        else:
            click.echo("no clusters")
        return
    if as_json or jsonl:
        echo_rows((render.summary_json(item) for item in items), jsonl=jsonl)
        return
    for item in items:
        click.echo(render.summary_text(item))


SEARCH_HELP = f"""Full-text search over titles and clean text, best matches first.

Prints `no matches` when nothing matches (exit 0; --json: an empty array).

QUERY syntax:

{QUERY_SYNTAX}
"""


@cli.command(help=SEARCH_HELP)
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@color_option
@json_option
@jsonl_option
@pass_app
def search(app: AppContext, query: str, limit: int, color: str, as_json: bool, jsonl: bool) -> None:
    if not query.strip():
        raise InputError("search: empty query")
    with app.store() as store:
        hits = store.search(query, limit=limit)
    if as_json or jsonl:
        echo_rows((render.search_json(hit) for hit in hits), jsonl=jsonl)
        return
    if not hits:
        click.echo("no matches")
        return
    colored = use_color(color)
    for hit in hits:
        click.echo(render.search_text(hit, color=colored), color=colored)
