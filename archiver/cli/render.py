"""Turn store records into what the CLI prints: text, Markdown or JSON.

The JSON shapes live in ``archiver.browse_json`` (the web API uses them too)
and are re-exported here for the commands. Text output shows every time in
UTC to the second, one way: ``2026-12-03 10:21:43Z`` (``stamp``); JSON keeps
ISO 8601 (``iso``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archiver.browse_json import add_json as add_json
from archiver.browse_json import cluster_json as cluster_json
from archiver.browse_json import diff_json as diff_json
from archiver.browse_json import dumps as dumps
from archiver.browse_json import history_json as history_json
from archiver.browse_json import iso as iso
from archiver.browse_json import search_json as search_json
from archiver.browse_json import show_json as show_json
from archiver.browse_json import summary_json as summary_json
from archiver.browse_json import version_json as version_json
from archiver.records.articles import (
    SNIPPET_MARK_END,
    SNIPPET_MARK_START,
    ArticleSummary,
    ArticleView,
    SearchHit,
    VersionView,
)
from archiver.records.clusters import Cluster

if TYPE_CHECKING:  # the archive step loads only in the commands that run it
    from archiver.archive import AddResult


def stamp(value: datetime | None) -> str | None:
    """A time for text output: UTC, to the second, ``2026-12-03 10:21:43Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def page_date(value: str | None) -> str | None:
    """A page's own date or time as text output shows times; a date, or text that is
    not ISO 8601, is shown as the page gave it. A time without offset is taken as UTC."""
    if not value or len(value) <= 10:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return stamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def add_text(result: AddResult) -> str:
    if result.outcome == "error":
        return f"error      {result.url}  {result.error}"
    return f"{result.outcome:<10} {result.url}  article {result.article_id} v{result.version}"


def _meta_lines(article: ArticleView, version: VersionView) -> list[tuple[str, str]]:
    rows = [
        ("URL", article.canonical_url),
        ("Article", f"{article.id} (version {version.seq} of {article.version_count})"),
        ("Authors", "; ".join(version.authors) or "-"),
        ("Published", page_date(version.published) or "-"),
        ("Modified", page_date(version.modified) or "-"),
        ("Site", version.site_name or article.site),
        ("Language", version.language or "-"),
        ("First seen", stamp(article.first_seen) or "-"),
        ("Last checked", stamp(article.last_checked) or "-"),
    ]
    rows += [("Alias", alias) for alias in article.aliases if alias != article.canonical_url]
    return rows


def show_text(article: ArticleView, version: VersionView) -> str:
    head = [version.title or "(untitled)", ""]
    head += [f"{k + ':':<14}{v}" for k, v in _meta_lines(article, version)]
    return "\n".join([*head, "", version.text])


def show_markdown(article: ArticleView, version: VersionView) -> str:
    head = [f"# {version.title or '(untitled)'}", ""]
    head += [f"- **{k}:** {v}" for k, v in _meta_lines(article, version)]
    return "\n".join([*head, "", version.text])


def summary_text(item: ArticleSummary) -> str:
    seen = stamp(item.first_seen) or "-"
    return f"{item.id:>6}  {seen}  v{item.version_count:<3} {item.site:<24} {item.title or '-'}"


def search_text(hit: SearchHit, *, color: bool) -> str:
    start, end = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    snippet = hit.snippet.replace(SNIPPET_MARK_START, start).replace(SNIPPET_MARK_END, end)
    snippet = " ".join(snippet.split())
    return f"{summary_text(hit.article)}\n        {snippet}"


def history_text(row: dict[str, Any], version: VersionView) -> str:
    """A ``history_json`` row of ``version`` as a line."""
    change = f"{row['words_change']:+d}"
    words = f"{row['words']:>6} words ({change:>6})"
    return f"v{row['version']:<4} {stamp(version.created_at)}  {words}  {row['title'] or '-'}"


def cluster_text(number: int, cluster: Cluster) -> str:
    """A syndication cluster (``list --clusters``): a heading, then its articles."""
    best: dict[int, float] = {}
    for a, b, similarity in cluster.links:
        best[a] = max(best.get(a, 0.0), similarity)
        best[b] = max(best.get(b, 0.0), similarity)
    head = f"cluster {number}: {len(cluster.articles)} articles, one story"
    rows = [f"  {summary_text(a)}  ~{best.get(a.id, 0):.2f}" for a in cluster.articles]
    return "\n".join([head, *rows])
