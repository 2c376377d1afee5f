"""``archiver reextract``: run the current extractor and site templates over stored captures.

Every version keeps the raw capture it was extracted from, so a better
extractor or a newly learned site template can be applied to the archive
after the fact. A re-extraction replaces a version's text *in place*: the
version keeps its number, no version is added (a re-extraction is not an
edit), and ``archiver history`` lists it with the text it replaced.

Three passes: articles archived before template learning existed (or with it
switched off) are first learned from, so the templates are complete before
any text is filtered; then the versions of each article with several are
compared, and the volatile blocks that explain their differences (a ticking
stamp, a rotating box: ``archiver.version.volatile``) are learned for the host;
then every version of every selected article is extracted again. A version
that differed from the one before only by such blocks keeps its number after
its correction (version numbers are stable), and then has its predecessor's text.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from functools import partial

import click
from rich.progress import Progress

from archiver.archive import Services, open_services
from archiver.archive.chrome import clean_blocks
from archiver.archive.settle import learn_history, reextract_version
from archiver.cli import render
from archiver.cli.app import (
    AppContext,
    cli,
    missing_archive,
    pass_app,
    progress_bar,
    progress_option,
    want_progress,
)
from archiver.config import Settings
from archiver.errors import ArchiverError, NotFoundError
from archiver.identify import site_of
from archiver.records.learning import ReextractTarget

REASON = "reextract"


async def _learn(services: Services, target: ReextractTarget) -> None:
    """Count the article's current version in its site's template (first pass)."""
    source = await asyncio.to_thread(services.store.version_source, target.article_id)
    if source is None:
        return
    try:
        page = await services.extractor.extract(source.body, source.url, source.charset)
    except ArchiverError:
        return
    await clean_blocks(services, page, source.site, source.canonical_url, learn=True)


async def _bounded(jobs: list[Callable[[], Awaitable[object]]], limit: int) -> list[object]:
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[object]]) -> object:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(j) for j in jobs)))


async def reextract_all(
    settings: Settings, site: str | None, bar: Progress | None = None
) -> Counter[str]:
    """Re-extract every version of the articles of ``site`` (None: all); tallies outcomes."""
    tally: Counter[str] = Counter()
    async with open_services(settings) as services:
        targets = await asyncio.to_thread(services.store.reextract_targets, site)
        unlearned = [t for t in targets if not t.learned and services.templates.enabled]
        versions = [(t.article_id, seq) for t in targets for seq in range(1, t.versions + 1)]
        several = [t for t in targets if t.versions > 1]
        total = len(unlearned) + len(several) + len(versions)
        task = bar.add_task("reextract", total=total) if bar else None
        limit = services.extractor.workers * 2

        def step() -> None:
            if bar is not None and task is not None:
                bar.advance(task)

        async def learn(target: ReextractTarget) -> None:
            await _learn(services, target)
            step()

        async def compare(target: ReextractTarget) -> None:
            tally["volatile"] += await learn_history(services, target.article_id, target.versions)
            step()

        async def redo(article_id: int, seq: int) -> None:
            done = await reextract_version(services, article_id, seq, reason=REASON)
            tally["skipped" if done is None else "reextracted" if done else "unchanged"] += 1
            step()

        await _bounded([partial(learn, t) for t in unlearned], limit)
        await _bounded([partial(compare, t) for t in several], limit)
        await _bounded([partial(redo, a, s) for a, s in versions], limit)
        # Last, sign the current texts that have no valid signature (syndication clusters):
        # an archive recorded before revision 0010, or a changed [clusters] setting.
        tally["signed"] = await asyncio.to_thread(services.store.sign_articles, site)
        tally["articles"] = len(targets)
        tally["versions"] = len(versions)
        tally["learned"] = len(unlearned)
    return tally


@cli.command()
@click.option("--site", help="Only the articles of this host.")
@click.option("--all", "all_sites", is_flag=True, help="Every article in the archive.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@progress_option
@pass_app
def reextract(
    app: AppContext, site: str | None, all_sites: bool, as_json: bool, progress: bool | None
) -> None:
    """Re-extract stored captures with the current extractor and site templates.

    Versions are corrected in place: no version is added, and `archiver
    history` shows each re-extraction.
    """
    if (site is None) == (not all_sites):
        raise click.UsageError("give --site HOST or --all (one of them)")
    if (why := missing_archive(app.settings)) is not None:
        raise NotFoundError(why)  # nothing to re-extract, and no empty archive made
    host = site_of(f"http://{site}/") if site else None
    bar = progress_bar("re-extracting") if want_progress(progress) else None
    with bar if bar is not None else nullcontext():
        tally = asyncio.run(reextract_all(app.settings, host, bar))
    keys = ("articles", "versions", "reextracted", "unchanged", "skipped", "learned", "volatile",
            "signed")  # fmt: skip
    if as_json:
        click.echo(render.dumps({k: tally[k] for k in keys}))
        return
    click.echo(
        f"{tally['articles']} articles, {tally['versions']} versions: "
        f"{tally['reextracted']} re-extracted, {tally['unchanged']} unchanged, "
        f"{tally['skipped']} without a usable capture"
        + (f" ({tally['learned']} articles learned first)" if tally["learned"] else "")
        + (f"; {tally['volatile']} volatile blocks learned" if tally["volatile"] else "")
        + (f"; {tally['signed']} articles signed for clusters" if tally["signed"] else "")
    )
