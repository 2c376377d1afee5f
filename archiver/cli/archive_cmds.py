"""Commands that fetch: ``add``, ``extract`` and ``run``."""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TextIO

import click

from archiver.archive import AddResult, archive_url, open_services
from archiver.batch import archive_each, window_for
from archiver.cli import render
from archiver.cli.app import (
    AppContext,
    cli,
    exit_code,
    pass_app,
    progress_bar,
    progress_option,
    want_progress,
)
from archiver.cli.web_cmds import host_option, listen_on, port_option
from archiver.config import Settings
from archiver.daemon import run_daemon
from archiver.errors import ArchiverError, InputError
from archiver.extract import ExtractorPool
from archiver.extract.result import Extracted
from archiver.fetch import Fetcher
from archiver.identify import normalize_url


def _read_url_file(stream: TextIO) -> list[str]:
    lines = (line.strip() for line in stream)
    return [line for line in lines if line and not line.startswith("#")]


async def _add_all(
    settings: Settings, urls: list[str], show_progress: bool, report: Callable[[AddResult], None]
) -> list[AddResult]:
    """Archive ``urls`` (bounded work in flight) and ``report`` each in the input's order,
    as soon as it and the URLs before it are done; whatever finished is reported even
    when the run is interrupted."""
    window = window_for(settings.fetch.concurrency)
    places: dict[str, deque[int]] = defaultdict(deque)
    for index, url in enumerate(urls):
        places[url].append(index)
    finished: dict[int, AddResult] = {}
    results: list[AddResult] = []

    def release() -> None:
        while len(results) in finished:
            result = finished.pop(len(results))
            results.append(result)
            report(result)

    async with open_services(settings) as services:

        def step(url: str) -> Coroutine[Any, Any, AddResult]:
            return archive_url(url, services)

        with progress_bar("archiving") if show_progress else nullcontext() as progress:
            task = progress.add_task("add", total=len(urls)) if progress else None
            try:
                async for result in archive_each(urls, step, window=window):
                    finished[places[result.url].popleft()] = result
                    release()
                    if progress is not None and task is not None:
                        progress.advance(task)
            finally:
                for index in sorted(finished):  # interrupted: what did finish, still said
                    report(finished.pop(index))
    return results


@cli.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--from-file",
    "url_file",
    type=click.File("r"),
    help="Read URLs from a file, one per line ('-' for stdin).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per URL.")
@progress_option
@pass_app
def add(
    app: AppContext,
    urls: tuple[str, ...],
    url_file: TextIO | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Archive URLS now and print the outcome of each."""
    todo = list(urls) + (_read_url_file(url_file) if url_file else [])
    if not todo:
        raise click.UsageError("give at least one URL (or --from-file)")
    show_progress = want_progress(progress, many=len(todo) > 1)

    def report(result: AddResult) -> None:  # each line as soon as its URL is done
        line = render.dumps(render.add_json(result)) if as_json else render.add_text(result)
        click.echo(line)
        sys.stdout.flush()
        if result.outcome == "error":
            click.echo(f"archiver: error: {result.url}: {result.error}", err=True)

    results = asyncio.run(_add_all(app.settings, todo, show_progress, report))
    codes = [exit_code(r.failure) for r in results if r.failure is not None]
    if codes:
        sys.exit(max(codes))


def _extracted_json(source: str, page: Extracted) -> dict[str, Any]:
    return {
        "source": source,
        "title": page.title,
        "authors": list(page.authors),
        "published": page.published,
        "modified": page.modified,
        "site_name": page.site_name,
        "language": page.language,
        "description": page.description,
        "canonical": page.links.amp_canonical or page.links.canonical or page.links.og_url,
        "text": page.text,
    }


def _read_source(source: str) -> tuple[bytes, str] | str:
    """A saved page's bytes and a base URL, or the normalized URL to fetch."""
    if source == "-":
        return sys.stdin.buffer.read(), "http://localhost/"
    path = Path(source)
    if path.is_file():
        return path.read_bytes(), path.resolve().as_uri()
    try:
        return normalize_url(source)
    except InputError as exc:
        raise InputError(f"{source}: no such file, and not a URL") from exc


async def _extract_one(settings: Settings, pool: ExtractorPool, source: str) -> Extracted:
    loaded = await asyncio.to_thread(_read_source, source)
    if not isinstance(loaded, str):
        return await pool.extract(loaded[0], loaded[1], None)
    async with Fetcher(settings.fetch) as fetcher:
        result = await fetcher.fetch(loaded)
    result.raise_for_status()
    return await pool.extract(result.body, result.final_url, result.charset)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input.")
@pass_app
def extract(app: AppContext, sources: tuple[str, ...], as_json: bool) -> None:
    """Show what would be kept from a saved page, stdin ('-') or a URL. Stores nothing."""

    async def run() -> int:
        failed = 0
        with ExtractorPool(app.settings.extract.workers, app.settings.extract.timeout) as pool:
            for source in sources:
                try:
                    page = await _extract_one(app.settings, pool, source)
                except ArchiverError as exc:
                    click.echo(f"archiver: error: {exc}", err=True)
                    failed = max(failed, exit_code(exc))
                    continue
                if as_json:
                    click.echo(render.dumps(_extracted_json(source, page)))
                else:
                    click.echo(f"{page.title or '(untitled)'}\n\n{page.text}")
        return failed

    code = asyncio.run(run())
    if code:
        sys.exit(code)


@cli.command()
@click.option("--serve", "with_web", is_flag=True, help="Also serve the web UI and JSON API.")
@host_option
@port_option
@pass_app
def run(app: AppContext, with_web: bool, host: str | None, port: int | None) -> None:
    """Run the archiving daemon until SIGINT/SIGTERM (with --serve: and the web UI)."""
    alongside = None
    if with_web:
        from archiver.web.server import alongside_daemon, bind  # starlette only when serving

        alongside = alongside_daemon(app.settings, bind(*listen_on(app, host, port)))
    elif host is not None or port is not None:
        raise click.UsageError("--host and --port need --serve")
    asyncio.run(run_daemon(app.settings, alongside=alongside))
