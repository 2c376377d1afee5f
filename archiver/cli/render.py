"""Turn store records into what the CLI prints: text, Markdown or JSON.

JSON keys are part of the public interface (documented in README.md);
times are ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from archiver.pipeline import AddResult
from archiver.store.records import (
    SNIPPET_MARK_END,
    SNIPPET_MARK_START,
    ArticleSummary,
    ArticleView,
    SearchHit,
    VersionView,
)
from archiver.version import VersionDiff, word_count


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def add_json(result: AddResult) -> dict[str, Any]:
    return {
        "url": result.url,
        "article_id": result.article_id,
        "outcome": result.outcome,
        "version": result.version,
        "error": result.error,
    }


def add_text(result: AddResult) -> str:
    if result.outcome == "error":
        return f"error      {result.url}  {result.error}"
    return f"{result.outcome:<10} {result.url}  article {result.article_id} v{result.version}"


def show_json(article: ArticleView, version: VersionView) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "url": article.canonical_url,
        "aliases": list(article.aliases),
        "title": version.title,
        "authors": list(version.authors),
        "published": version.published,
        "modified": version.modified,
        "site": article.site,
        "site_name": version.site_name,
        "language": version.language,
        "description": version.description,
        "text": version.text,
        "version": version.seq,
        "versions": article.version_count,
        "version_created": iso(version.created_at),
        "first_seen": iso(article.first_seen),
        "last_checked": iso(article.last_checked),
    }


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


def summary_json(item: ArticleSummary) -> dict[str, Any]:
    return {
        "article_id": item.id,
        "url": item.canonical_url,
        "site": item.site,
        "title": item.title,
        "published": item.published,
        "versions": item.version_count,
        "first_seen": iso(item.first_seen),
        "last_checked": iso(item.last_checked),
    }


def summary_text(item: ArticleSummary) -> str:
    seen = (iso(item.first_seen) or "")[:16].replace("T", " ")
    return f"{item.id:>6}  {seen}  v{item.version_count:<3} {item.site:<24} {item.title or '-'}"


def search_json(hit: SearchHit) -> dict[str, Any]:
    plain = hit.snippet.replace(SNIPPET_MARK_START, "").replace(SNIPPET_MARK_END, "")
    return {**summary_json(hit.article), "snippet": plain, "rank": hit.rank}


def search_text(hit: SearchHit, *, color: bool) -> str:
    start, end = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    snippet = hit.snippet.replace(SNIPPET_MARK_START, start).replace(SNIPPET_MARK_END, end)
    snippet = " ".join(snippet.split())
    return f"{summary_text(hit.article)}\n        {snippet}"


def version_json(version: VersionView, previous: VersionView | None) -> dict[str, Any]:
    words = word_count(version.text)
    return {
        "version": version.seq,
        "created": iso(version.created_at),
        "title": version.title,
        "words": words,
        "words_change": words - word_count(previous.text) if previous else words,
        "chars": len(version.text),
        "capture_id": version.capture_id,
    }


def history_text(row: dict[str, Any]) -> str:
    change = f"{row['words_change']:+d}"
    words = f"{row['words']:>6} words ({change:>6})"
    return f"v{row['version']:<4} {row['created']}  {words}  {row['title'] or '-'}"


def diff_json(diff: VersionDiff) -> dict[str, Any]:
    return {
        "article_id": diff.article_id,
        "from": diff.from_seq,
        "to": diff.to_seq,
        "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in diff.fields],
        "words_added": diff.words_added,
        "words_removed": diff.words_removed,
        "ops": [{"op": op.kind, "text": op.text} for op in diff.ops],
    }


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
