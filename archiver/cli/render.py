"""Turn store records into what the CLI prints: text, Markdown or JSON.

The JSON shapes live in ``archiver.browse_json`` (the web API uses them too)
and are re-exported here for the commands.
"""

from __future__ import annotations

from typing import Any

from archiver.archive import AddResult
from archiver.browse_json import add_json as add_json
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
from archiver.version import VersionDiff


def add_text(result: AddResult) -> str:
    if result.outcome == "error":
        return f"error      {result.url}  {result.error}"
    return f"{result.outcome:<10} {result.url}  article {result.article_id} v{result.version}"


def _meta_lines(article: ArticleView, version: VersionView) -> list[tuple[str, str]]:
    rows = [
        ("URL", article.canonical_url),
        ("Article", f"{article.id} (version {version.seq} of {article.version_count})"),
        ("Authors", "; ".join(version.authors) or "-"),
        ("Published", version.published or "-"),
        ("Modified", version.modified or "-"),
        ("Site", version.site_name or article.site),
        ("Language", version.language or "-"),
        ("First seen", iso(article.first_seen) or "-"),
        ("Last checked", iso(article.last_checked) or "-"),
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
    seen = (iso(item.first_seen) or "")[:16].replace("T", " ")
    return f"{item.id:>6}  {seen}  v{item.version_count:<3} {item.site:<24} {item.title or '-'}"


def search_text(hit: SearchHit, *, color: bool) -> str:
    start, end = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    snippet = hit.snippet.replace(SNIPPET_MARK_START, start).replace(SNIPPET_MARK_END, end)
    snippet = " ".join(snippet.split())
    return f"{summary_text(hit.article)}\n        {snippet}"


def history_text(row: dict[str, Any]) -> str:
    change = f"{row['words_change']:+d}"
    words = f"{row['words']:>6} words ({change:>6})"
    return f"v{row['version']:<4} {row['created']}  {words}  {row['title'] or '-'}"


def diff_text(diff: VersionDiff, *, color: bool) -> str:
    lines = [f"article {diff.article_id}: version {diff.from_seq} -> {diff.to_seq}"]
    for change in diff.fields:
        lines.append(f"{change.field} changed: {change.old!r} -> {change.new!r}")
    lines.append(f"text: +{diff.words_added} words, -{diff.words_removed} words")
    lines.append("")
    if color:
        marks = {"insert": ("\x1b[32m{+", "+}\x1b[0m"), "delete": ("\x1b[31m[-", "-]\x1b[0m")}
    else:
        marks = {"insert": ("{+", "+}"), "delete": ("[-", "-]")}
    body = []
    for op in diff.ops:
        core = op.text.strip()
        if op.kind == "equal" or not core:
            body.append(op.text)
            continue
        start, end = marks[op.kind]
        lead = op.text[: len(op.text) - len(op.text.lstrip())]
        trail = op.text[len(op.text.rstrip()) :]
        body.append(f"{lead}{start}{core}{end}{trail}")
    lines.append("".join(body))
    return "\n".join(lines)
