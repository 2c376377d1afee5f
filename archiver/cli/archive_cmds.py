"""Commands that fetch: ``add``, ``extract`` and ``run``."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from contextlib import aclosing, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

import click
from rich.progress import Progress

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
from archiver.durations import format_duration
from archiver.errors import ArchiverError, InputError
from archiver.extract import ExtractorPool
from archiver.fetch import Fetcher
from archiver.identify import normalize_url
from archiver.records.extracted import Extracted


def _read_url_file(stream: TextIO) -> list[str]:
    lines = (line.strip() for line in stream)
    return [line for line in lines if line and not line.startswith("#")]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def took(seconds: float) -> str:
    """Elapsed time for a summary: ``0.4 s``, ``41 s``, ``2m5s``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    return f"{round(seconds)} s" if seconds < 60 else format_duration(round(seconds))


def error_line(url: str, error: str | None) -> str:
    """``archiver: error: ...`` for one URL, naming it once (many errors name it already)."""
    message = error or "error"
    try:
        spellings = {url, normalize_url(url)}
    except InputError:
        spellings = {url}
    named = any(spelling in message for spelling in spellings)
    return f"archiver: error: {message if named else f'{url}: {message}'}"


class BatchReport:
    """Each URL's outcome printed as soon as it is done, counted for the closing summary.

    Text: a line per archived URL on stdout, an error as one line on stderr (only
    there). ``--json``: an object per URL on stdout, errors included, and each error's
    line on stderr for people. The summary goes where people read: stdout for text,
    stderr for JSON (stdout stays one object per line). While a progress bar is drawn
    (``drawing``), lines for the terminal are printed above it.
    """

    def __init__(self, *, as_json: bool = False, lines: bool = True) -> None:
        self.as_json, self.lines = as_json, lines
        self.counts: Counter[str] = Counter()
        self.codes: list[int] = []
        self.started = time.monotonic()
        self._bar: Progress | None = None

    @contextmanager
    def drawing(self, bar: Progress) -> Iterator[Progress]:
        """Draw ``bar`` (on stderr) with this report's lines above it."""
        with bar:
            self._bar = bar
            try:
                yield bar
            finally:
                self._bar = None

    def _echo(self, line: str, *, err: bool = False) -> None:
        # click finds the real stream under rich's redirection, and its line would be
        # written into the bar's: what goes to the bar's terminal goes through the bar.
        # stdout into a pipe or a file is not that terminal, and gets its lines as usual.
        if self._bar is not None and (err or sys.stdout.isatty()):
            self._bar.console.out(line, highlight=False)
        else:
            click.echo(line, err=err)

    def done(self, result: AddResult) -> None:
        self.counts[result.outcome] += 1
        if result.failure is not None:
            self.codes.append(exit_code(result.failure))
        if not self.lines:
            return
        if self.as_json:
            self._echo(render.dumps(render.add_json(result)))
        elif result.outcome != "error":
            self._echo(render.add_text(result))
        if result.outcome == "error":
            self._echo(error_line(result.url, result.error), err=True)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def exit_code(self) -> int:
        return max(self.codes, default=0)

    def summary(self, *, of: int | None = None) -> str:
        """``32 URLs: 20 new, 3 updated, 5 unchanged, 2 duplicate, 2 errors in 41 s``;
        ``of``: the run was interrupted with that many URLs to do."""
        c = self.counts
        counts = (f"{c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
                  f"{c['duplicate']} duplicate, {_plural(c['error'], 'error')}")  # fmt: skip
        done = _plural(self.total, "URL")
        head = done if of is None else f"interrupted after {self.total} of {_plural(of, 'URL')}"
        return f"{head}: {counts} in {took(time.monotonic() - self.started)}"

    def finish(self, line: str) -> None:
        click.echo(line, err=self.as_json)


async def _add_all(
    settings: Settings, urls: list[str], show_progress: bool, report: BatchReport
) -> None:
    """Archive ``urls`` (bounded work in flight) and ``report`` each as soon as it is done."""
    window = window_for(settings.fetch.concurrency)
    async with open_services(settings) as services:

        def step(url: str) -> Coroutine[Any, Any, AddResult]:
            return archive_url(url, services)

        bar = report.drawing(progress_bar("archiving")) if show_progress else nullcontext()
        with bar as progress:
            task = progress.add_task("add", total=len(urls)) if progress else None
            async with aclosing(archive_each(urls, step, window=window)) as results:
                async for result in results:
                    report.done(result)
                    if progress is not None and task is not None:
                        progress.advance(task)


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
    """Archive URLS now and print the outcome of each as soon as it is done.

    A batch (several URLs, or --from-file) ends with a summary line (on stderr with
    --json). Ctrl-C stops it: what finished is printed and summed up (exit 130)."""
    todo = list(urls) + (_read_url_file(url_file) if url_file else [])
    if not todo:
        raise click.UsageError("give at least one URL (or --from-file)")
    show_progress = want_progress(progress, many=len(todo) > 1)
    report = BatchReport(as_json=as_json)
    try:
        asyncio.run(_add_all(app.settings, todo, show_progress, report))
    except KeyboardInterrupt:
        report.finish(report.summary(of=len(todo)))
        sys.exit(130)
    if url_file is not None or len(todo) > 1:
        report.finish(report.summary())
    if report.exit_code:
        sys.exit(report.exit_code)


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
