"""Soak benchmark: ``archiver run`` against an evolving multi-host site, then a report.

What it sets up (see ``bench/soaksite.py``): ``--hosts`` loopback news sites
(127.0.0.11, .12, ...), each with an RSS feed (the last two hosts: a sitemap)
listing its articles and a new article every ``--publish-every`` seconds. Half
the articles are real pages from the article-extraction benchmark, half
generated markup. Every fetch renders fresh chrome: a rotating promo line in
the body and a "Most read" box after it whose headlines rotate and that ends
with a ticking ``Updated at HH:MM:SS``. About ``--edit-share`` of the articles
get one real edit (a sentence inserted into a body paragraph) at a recorded
time. Host 2 has spells of 503 with ``Retry-After``; host 3 answers 404 to
everything but robots.txt for 18% of the run (three minutes of a 17-minute
run), a few requests hang longer than the fetch timeout. Spells, hangs and the
edit window scale with ``--duration``, so a 3-minute run exercises each.

What it runs: the real CLI, ``archiver --log-format json run``, as a subprocess
in a fresh ``ARCHIVER_HOME`` (SQLite), its sources declared in a sources.toml,
with an accelerated re-check ladder (``--ladder``, ``--tail``) and short
timeouts, for ``--duration`` seconds; then SIGTERM, timing the shutdown. Every
``--sample-every`` seconds it records the daemon's RSS (and its children's),
its open file descriptors, the database size and row counts.

What it reports (a table, or ``--json``): articles published vs archived and
the discovery delay; edits made vs caught and the delay from edit to version;
false versions (versions the known edits do not explain) and what changed in
them; re-checks done; RSS and open files at start / after warm-up / end with a
least-squares slope after warm-up (the bar: under 5 MB/h); DB growth per
article and per re-check; errors by kind; what the site served (304s, 503s,
404s, hangs, whether every Retry-After was honoured); log lines by level; the
shutdown time. The temp directory (daemon log, database) is kept and printed.

    .venv/bin/python bench/soak.py                    # 10 minutes
    .venv/bin/python bench/soak.py --duration 3600    # the one-hour soak
    .venv/bin/python bench/soak.py --duration 180 --json
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from soaksite import Article, Corpus, Hang, Plan, SoakSite, Spell  # noqa: E402

SLOPE_LIMIT_MB_H = 5.0


# -- the plan ------------------------------------------------------------------


def make_plan(args: argparse.Namespace) -> Plan:
    """Spells, hangs and the edit window for a run of ``args.duration`` seconds."""
    d = float(args.duration)
    plan = Plan(
        hosts=args.hosts,
        initial=args.initial,
        publish_every=args.publish_every,
        generated_share=args.generated_share,
        edit_share=args.edit_share,
        edit_after=(25.0, 90.0),
        edit_until=max(0.5 * d, d - 80.0),
        hang_seconds=args.timeout * 2 + 2,
        sitemap_hosts=frozenset(range(max(1, args.hosts - 2), args.hosts)) if args.hosts > 2
        else frozenset(),
    )  # fmt: skip
    h503 = 1 % args.hosts
    h404 = 2 % args.hosts
    length = max(15.0, 0.04 * d)
    plan.spells[h503] = [
        Spell(f * d, f * d + length, 503, args.retry_after) for f in (0.15, 0.45, 0.75)
    ]
    spell404 = Spell(0.3 * d, 0.3 * d + max(30.0, 0.18 * d), 404)
    plan.spells.setdefault(h404, []).append(spell404)
    # Edits that must be caught across a spell: inside the 404 spell, inside a 503 spell.
    plan.forced_edits = [(h404, (spell404.start + spell404.end) / 2), (h503, 0.45 * d + 3)]
    others = [h for h in range(args.hosts) if h not in (h503, h404)] or [0]
    count = max(3, round(d / 120))
    for i in range(count):
        at = d * (0.1 + 0.75 * i / max(1, count - 1))
        kind = "index" if i % 3 == 2 else "article"
        plan.hangs.setdefault(others[i % len(others)], []).append(Hang(at, kind))
    return plan


# -- the daemon ----------------------------------------------------------------


def archiver_command() -> list[str]:
    script = REPO / ".venv" / "bin" / "archiver"
    return [str(script)] if script.exists() else [sys.executable, "-m", "archiver"]


def daemon_env(args: argparse.Namespace, home: Path, sources: Path) -> dict[str, str]:
    ladder = [r.strip() for r in args.ladder.split(",") if r.strip()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    env.update(
        {
            "ARCHIVER_HOME": str(home),
            "ARCHIVER_ALLOW_PRIVATE_NETWORKS": "1",
            "ARCHIVER_DAEMON__SOURCES_FILE": str(sources),
            "ARCHIVER_DAEMON__RECHECK_LADDER": json.dumps(ladder),
            "ARCHIVER_DAEMON__RECHECK_SCAN_EVERY": "2s",
            "ARCHIVER_DAEMON__RECHECK_RETRY_AFTER": "5s",
            "ARCHIVER_DAEMON__TIMEOUT_RETRY_AFTER": "30s",
            "ARCHIVER_FETCH__CONNECT_TIMEOUT": str(args.timeout),
            "ARCHIVER_FETCH__READ_TIMEOUT": str(args.timeout),
            "ARCHIVER_FETCH__TOTAL_TIMEOUT": str(args.timeout),
            "ARCHIVER_FETCH__MAX_RETRY_AFTER": "60",
            "ARCHIVER_FETCH__HOST_BACKOFF_MAX": "60",
        }
    )
    if args.tail:
        env["ARCHIVER_DAEMON__RECHECK_TAIL"] = args.tail
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    return env


def write_sources(site: SoakSite, path: Path, every: str) -> None:
    lines = []
    for host in range(site.plan.hosts):
        kind = "sitemap" if host in site.plan.sitemap_hosts else "feed"
        lines += ["[[source]]", f'name = "host{host + 1}"', f'kind = "{kind}"',
                  f'url = "{site.index_url(host)}"', f'every = "{every}"', ""]  # fmt: skip
    path.write_text("\n".join(lines))


# -- sampling ------------------------------------------------------------------


def _status_kib(pid: int, field: str = "VmRSS") -> int | None:
    """A kB figure of /proc/PID/status: ``VmRSS`` (resident), ``RssAnon`` (the heap,
    stacks and anonymous mappings: what a leak grows), ``RssFile`` (mapped files: code
    and libraries paged in as their paths run, reclaimable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _rss_kib(pid: int) -> int | None:
    return _status_kib(pid)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            kids = []
        for kid in map(int, kids):
            found.append(kid)
            todo.append(kid)
    return found


def _db_size(home: Path) -> int:
    return sum(
        p.stat().st_size for p in home.glob("archiver.db*") if p.is_file() and "-shm" not in p.name
    )


@dataclass
class Sample:
    t: float  # seconds since the daemon started
    rss_mb: float
    anon_mb: float  # of rss_mb: anonymous memory (RssAnon)
    file_mb: float  # of rss_mb: pages of mapped files (RssFile)
    children_mb: float
    children: int
    fds: int
    db_bytes: int
    articles: int | None
    captures: int | None


@dataclass
class Sampler:
    pid: int
    home: Path
    every: float
    started: float
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def _counts(self) -> tuple[int | None, int | None]:
        db = self.home / "archiver.db"
        if not db.exists():
            return None, None
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            try:
                a = con.execute("SELECT count(*) FROM article").fetchone()[0]
                c = con.execute("SELECT count(*) FROM capture").fetchone()[0]
                return int(a), int(c)
            finally:
                con.close()
        except sqlite3.Error:
            return None, None

    def sample(self) -> None:
        rss = _rss_kib(self.pid)
        if rss is None:
            return
        kids = _children(self.pid)
        kid_rss = sum(_rss_kib(k) or 0 for k in kids)
        try:
            fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return
        articles, captures = self._counts()
        anon, mapped = _status_kib(self.pid, "RssAnon"), _status_kib(self.pid, "RssFile")
        self.samples.append(
            Sample(time.monotonic() - self.started, rss / 1024, (anon or 0) / 1024,
                   (mapped or 0) / 1024, kid_rss / 1024, len(kids), fds, _db_size(self.home),
                   articles, captures)
        )  # fmt: skip

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()


# -- statistics ----------------------------------------------------------------


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 3:
        return None
    mx = statistics.fmean(p[0] for p in points)
    my = statistics.fmean(p[1] for p in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return 3600 * sum((x - mx) * (y - my) for x, y in points) / sxx


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _when(text: str | None) -> float | None:
    if not text:
        return None
    value = datetime.fromisoformat(str(text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def error_kind(error: str) -> str:
    if m := re.search(r"HTTP (\d{3})", error):
        return f"HTTP {m[1]}"
    if "timed out" in error.lower() or "timeout" in error.lower():
        return "timed out"
    words = re.sub(r"https?://\S+|\d+", "#", error).split()
    return " ".join(words[:6])[:60]


def _shape(line: str) -> str:
    """A changed line with its numbers masked, so the same kind of change counts once."""
    return re.sub(r"\d", "#", line.strip())[:70]


def word_changes(old: str, new: str) -> list[str]:
    """The word-level changes from ``old`` to ``new``, as ``[-deleted-] {+inserted+}`` shapes."""
    a, b = old.split(), new.split()
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        gone, added = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if "revised to" in added:  # a known edit
            continue
        change = (f"[-{_shape(gone)[:40]}-] " if gone else "") + (
            f"{{+{_shape(added)[:40]}+}}" if added else ""
        )
        changes.append(change.strip())
    return changes


# -- analysis ------------------------------------------------------------------


def _table_sizes(con: sqlite3.Connection) -> dict[str, int]:
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.Error:
        return {}
    return {str(n): int(s) for n, s in rows}


def analyse(
    site: SoakSite, home: Path, started: float, stopped: float, args: argparse.Namespace
) -> dict[str, Any]:
    end = stopped
    con = sqlite3.connect(f"file:{home / 'archiver.db'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    alias = {r["url"]: r["article_id"] for r in con.execute("SELECT url, article_id FROM alias")}
    rows = {r["id"]: r for r in con.execute("SELECT * FROM article")}
    versions: dict[int, list[sqlite3.Row]] = {}
    for v in con.execute("SELECT article_id, seq, created_at, text FROM version ORDER BY seq"):
        versions.setdefault(v["article_id"], []).append(v)
    captures = con.execute(
        "SELECT id, article_id, fetched_at, status, error, body_hash FROM capture ORDER BY id"
    ).fetchall()
    published = site.snapshot()
    due = [a for a in published if a.published <= end - args.discovery_grace]
    out: dict[str, Any] = {"duration_s": round(stopped - started, 1)}

    # Articles published vs archived.
    found: dict[int, int] = {}  # published number -> article id
    delays: list[float] = []
    for a in published:
        aid = alias.get(site.url(a))
        if aid is not None and aid in rows:
            found[a.number] = aid
            seen = _when(rows[aid]["first_seen"])
            if seen is not None:
                delays.append(seen - a.published)
    kinds = Counter(a.kind for a in published)
    out["articles"] = {
        "published": len(published),
        "published_benchmark": kinds["benchmark"],
        "published_generated": kinds["generated"],
        "published_due": len(due),
        "archived": len(found),
        "archived_of_due": sum(1 for a in due if a.number in found),
        "missing_due": [site.url(a) for a in due if a.number not in found][:10],
        "articles_in_db": len(rows),
        "discovery_delay_median_s": _round(_median(delays)),
        "discovery_delay_max_s": _round(max(delays, default=None)),
    }

    # Edits made vs caught; false versions.
    ladder = [_seconds(r) for r in args.ladder.split(",") if r.strip()]
    edits = [a for a in published if a.edited is not None]
    caught: dict[int, float] = {}
    before_discovery = 0
    missed: list[dict[str, Any]] = []
    due_edits = 0
    for a in edits:
        assert a.edited is not None
        aid = found.get(a.number)
        marker = a.edit_sentence.split(" after ")[0]
        vs = versions.get(aid, []) if aid is not None else []
        hit = next((v for v in vs if marker in v["text"]), None)
        if hit is not None and hit["seq"] == 1:
            before_discovery += 1
            continue
        if _catchable(a, ladder, end):
            due_edits += 1
        if hit is not None:
            created = _when(hit["created_at"])
            caught[a.number] = (created or a.edited) - a.edited
        else:
            missed.append({"url": site.url(a), "edited_s": round(a.edited - started, 1),
                           "host": a.host + 1, "versions": len(vs)})  # fmt: skip
    edit_delays = list(caught.values())
    out["edits"] = {
        "made": len(edits) - before_discovery,
        "made_before_discovery": before_discovery,
        "due_a_recheck_before_end": due_edits,
        "caught": len(caught),
        "delay_median_s": _round(_median(edit_delays)),
        "delay_max_s": _round(max(edit_delays, default=None)),
        "missed": missed[:10],
    }
    false_total = identical = 0
    offenders: list[tuple[int, str]] = []
    shapes: Counter[str] = Counter()
    by_number = {found[n]: n for n in found}
    numbers = {a.number: a for a in published}
    for aid, vs in versions.items():
        edited = by_number.get(aid) in caught
        extra = len(vs) - 1 - (1 if edited else 0)
        if extra <= 0:
            continue
        false_total += extra
        n = by_number.get(aid)
        offenders.append((extra, site.url(numbers[n]) if n in numbers else str(aid)))
        for old, new in itertools.pairwise(vs):
            if old["text"] == new["text"]:
                identical += 1
            shapes.update(word_changes(old["text"], new["text"]))
    offenders.sort(reverse=True)
    out["false_versions"] = {
        "total": false_total,
        "articles_with_any": len(offenders),
        "articles_with_more_than_one": sum(1 for e, _ in offenders if e > 1),
        "same_text_as_previous": identical,  # e.g. corrected in place after the fact
        "worst": [{"url": u, "false_versions": e} for e, u in offenders[:5]],
        "changes": [{"change": s, "count": c} for s, c in shapes.most_common(8)],
    }

    # Re-checks and errors.
    first: set[int] = set()
    rechecks: list[sqlite3.Row] = []
    for c in captures:
        if c["article_id"] is None:
            continue
        if c["article_id"] in first:
            rechecks.append(c)
        else:
            first.add(c["article_id"])
    recheck_ids = {c["id"] for c in rechecks}
    errors: Counter[str] = Counter()
    for c in captures:
        if c["error"]:
            where = "re-check" if c["id"] in recheck_ids else "new URL"
            errors[f"{where}: {error_kind(c['error'])}"] += 1
    ok_rechecks = [c for c in rechecks if not c["error"]]
    out["rechecks"] = {
        "captures": len(captures),
        "rechecks": len(rechecks),
        "rechecks_failed": len(rechecks) - len(ok_rechecks),
        "rechecks_304": sum(1 for c in rechecks if c["status"] == 304),
        "rechecks_per_article": _round(len(rechecks) / len(rows) if rows else None, 2),
    }
    if rows and "next_check_at" in rows[next(iter(rows))].keys():  # noqa: SIM118 (a Row)
        pending = [_when(r["next_check_at"]) for r in rows.values()]
        out["rechecks"]["articles_unscheduled_at_end"] = sum(1 for p in pending if p is None)
        out["rechecks"]["articles_overdue_at_end"] = sum(
            1 for p in pending if p is not None and p < end - 30
        )
    if rows and "tiny_streak" in rows[next(iter(rows))].keys():  # noqa: SIM118 (a Row)
        out["rechecks"]["flagged_at_end"] = sum(1 for r in rows.values() if r["tiny_streak"] >= 3)
        out["rechecks"]["failing_at_end"] = sum(1 for r in rows.values() if r["check_failures"])
        out["rechecks"]["volatile_blocks_learned"] = con.execute(
            "SELECT count(*) FROM volatile_block"
        ).fetchone()[0]
    out["errors"] = dict(errors.most_common())
    sources = con.execute(
        "SELECT name, last_error, consecutive_failures FROM source ORDER BY name"
    ).fetchall()
    out["sources_failing_at_end"] = [
        {"name": s["name"], "failures": s["consecutive_failures"], "last_error": s["last_error"]}
        for s in sources
        if s["consecutive_failures"]
    ]

    # Storage.
    sizes = _table_sizes(con)
    body_bytes = {r[0]: int(r[1]) for r in con.execute("SELECT hash, length(data) FROM body")}
    con.close()
    first_body: dict[str, int] = {}
    for c in captures:
        if c["body_hash"] and c["body_hash"] not in first_body:
            first_body[c["body_hash"]] = c["id"]
    recheck_body = sum(b for h, b in body_bytes.items() if first_body.get(h) in recheck_ids)
    recheck_versions = sum(
        len(v["text"].encode()) for vs in versions.values() for v in vs if v["seq"] > 1
    )
    capture_row = sizes.get("capture", 0) / len(captures) if captures else 0
    db_end = _db_size(home)
    out["storage"] = {
        "db_bytes_end": db_end,
        "db_bytes_per_article": _round(db_end / len(rows) if rows else None, 0),
        "bodies_stored": len(body_bytes),
        "body_bytes_compressed": sum(body_bytes.values()),
        "recheck_bytes_per_recheck": _round(
            (recheck_body + recheck_versions) / len(rechecks) + capture_row if rechecks else None,
            0,
        ),
        "recheck_new_bodies": sum(1 for h in body_bytes if first_body.get(h) in recheck_ids),
        "largest_tables": dict(sorted(sizes.items(), key=lambda kv: -kv[1])[:6]),
    }
    return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _seconds(text: str) -> float:
    total, number = 0.0, ""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    for ch in text.strip():
        if ch.isdigit() or ch == ".":
            number += ch
        else:
            total += float(number) * units[ch]
            number = ""
    return total + (float(number) if number else 0.0)


def _catchable(article: Article, ladder: list[float], end: float) -> bool:
    """Whether a rung after the edit falls before the end (first seen ~ published)."""
    assert article.edited is not None
    after = article.edited - article.published
    nxt = next((r for r in ladder if r > after), None)
    return nxt is not None and article.published + nxt < end - 5


def memory_report(samples: list[Sample], warmup: float) -> dict[str, Any]:
    if not samples:
        return {}
    later = [s for s in samples if s.t >= warmup] or samples[-3:]
    rss = slope_per_hour([(s.t, s.rss_mb) for s in later])
    anon = slope_per_hour([(s.t, s.anon_mb) for s in later])
    mapped = slope_per_hour([(s.t, s.file_mb) for s in later])
    kids = slope_per_hour([(s.t, s.children_mb) for s in later])
    fds = slope_per_hour([(s.t, float(s.fds)) for s in later])
    db = slope_per_hour([(s.t, s.db_bytes / 1e6) for s in later])
    return {
        "samples": len(samples),
        "warmup_s": round(warmup, 1),
        "rss_mb_start": round(samples[0].rss_mb, 1),
        "rss_mb_after_warmup": round(later[0].rss_mb, 1),
        "rss_mb_end": round(samples[-1].rss_mb, 1),
        "rss_mb_max": round(max(s.rss_mb for s in samples), 1),
        "rss_slope_mb_per_h": _round(rss, 2),
        "rss_flat": None if rss is None else rss < SLOPE_LIMIT_MB_H,
        "anon_mb_after_warmup": round(later[0].anon_mb, 1),
        "anon_mb_end": round(samples[-1].anon_mb, 1),
        "anon_slope_mb_per_h": _round(anon, 2),
        "file_mb_after_warmup": round(later[0].file_mb, 1),
        "file_mb_end": round(samples[-1].file_mb, 1),
        "file_slope_mb_per_h": _round(mapped, 2),
        "children": max(s.children for s in samples),
        "children_mb_after_warmup": round(later[0].children_mb, 1),
        "children_mb_end": round(samples[-1].children_mb, 1),
        "children_slope_mb_per_h": _round(kids, 2),
        "fds_min": min(s.fds for s in samples),
        "fds_max": max(s.fds for s in samples),
        "fds_end": samples[-1].fds,
        "fds_slope_per_h": _round(fds, 2),
        "db_mb_slope_per_h": _round(db, 2),
    }


def log_report(path: Path) -> dict[str, Any]:
    levels: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            levels["not JSON"] += 1
            messages[f"[not JSON] {_shape(re.sub(r'[(].*?[)]', '(…)', line))}"] += 1
            continue
        level = str(entry.get("level", "?")).lower()
        levels[level] += 1
        if level not in ("debug", "info"):
            messages[f"[{level}] {_shape(str(entry.get('message', '')))}"] += 1
    return {
        "path": str(path),
        "lines_by_level": dict(levels.most_common()),
        "top_warnings": [{"message": m, "count": c} for m, c in messages.most_common(6)],
    }


def site_report(site: SoakSite, retry_after: int) -> dict[str, Any]:
    stats = site.stats
    honoured = violated = 0
    last_503: dict[int, float] = {}
    for at, host, what in sorted(site.log):
        if host in last_503:
            if at - last_503.pop(host) >= retry_after - 0.25:
                honoured += 1
            else:
                violated += 1
        if what.endswith(" 503"):
            last_503[host] = at
    index = stats["index 200"] + stats["index 304"]
    hangs = [(h, hang) for h, hang in site.hangs_done()]
    return {
        "article_fetches": stats["article 200"],
        "index_fetches": index,
        "index_304": stats["index 304"],
        "served_503": stats["index 503"] + stats["article 503"],
        "served_404_in_spell": stats["index 404"] + stats["article 404"],
        "hangs_planned": len(hangs),
        "hangs_done": sum(1 for _, hang in hangs if hang.done_at is not None),
        "retry_after_honoured": honoured,
        "retry_after_violated": violated,
        "robots_fetches": stats["robots 200"],
    }


# -- output --------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value) or "none"
    return str(value)


def print_table(report: dict[str, Any]) -> None:
    a, e, f = report["articles"], report["edits"], report["false_versions"]
    m, r, s, w = report["memory"], report["rechecks"], report["storage"], report["site"]
    rows: list[tuple[str, Any]] = [
        (
            "run",
            f"{report['duration_s']:.0f} s, {report['hosts']} hosts, ladder "
            f"{report['ladder']} + tail {report['tail']}",
        ),
        (
            "articles published",
            f"{a['published']} ({a['published_benchmark']} benchmark pages, "
            f"{a['published_generated']} generated)",
        ),
        (
            "articles archived",
            f"{a['archived']} of {a['published']}; {a['archived_of_due']} of "
            f"{a['published_due']} published >{report['grace']} s before end",
        ),
        (
            "discovery delay",
            f"median {_fmt(a['discovery_delay_median_s'])} s, "
            f"max {_fmt(a['discovery_delay_max_s'])} s",
        ),
        (
            "edits made / caught",
            f"{e['made']} made ({e['due_a_recheck_before_end']} with a rung "
            f"before the end), {e['caught']} caught",
        ),
        (
            "edit → version delay",
            f"median {_fmt(e['delay_median_s'])} s, max {_fmt(e['delay_max_s'])} s",
        ),
        ("edits before discovery", e["made_before_discovery"]),
        (
            "false versions",
            f"{f['total']} on {f['articles_with_any']} articles "
            f"({f['articles_with_more_than_one']} with more than one; "
            f"{f['same_text_as_previous']} with the same text as the previous version)",
        ),
        (
            "re-checks",
            f"{r['rechecks']} ({r['rechecks_failed']} failed, {r['rechecks_304']} "
            f"304), {_fmt(r['rechecks_per_article'])} per article",
        ),
    ]
    if "articles_unscheduled_at_end" in r:
        rows.append(("re-check schedule at end", f"{r['articles_unscheduled_at_end']} articles "
                     f"unscheduled, {r['articles_overdue_at_end']} overdue >30 s"))  # fmt: skip
    if "flagged_at_end" in r:
        rows.append(("re-check health at end", f"{r['flagged_at_end']} flagged (tiny versions "
                     f"in a row), {r['failing_at_end']} failing; "
                     f"{r['volatile_blocks_learned']} volatile blocks learned"))  # fmt: skip
    if m:
        rows += [
            (
                "RSS main (MB)",
                f"start {m['rss_mb_start']}, after warm-up ({m['warmup_s']:.0f} s) "
                f"{m['rss_mb_after_warmup']}, end {m['rss_mb_end']}, "
                f"max {m['rss_mb_max']}",
            ),
            (
                "RSS slope after warm-up",
                f"{_fmt(m['rss_slope_mb_per_h'])} MB/h "
                f"({'flat' if m['rss_flat'] else 'NOT flat'}: limit {SLOPE_LIMIT_MB_H} MB/h)",
            ),
            (
                "RSS main: anonymous",
                f"after warm-up {m['anon_mb_after_warmup']}, end {m['anon_mb_end']}, "
                f"slope {_fmt(m['anon_slope_mb_per_h'])} MB/h (heap, stacks: what a leak grows)",
            ),
            (
                "RSS main: mapped files",
                f"after warm-up {m['file_mb_after_warmup']}, end {m['file_mb_end']}, "
                f"slope {_fmt(m['file_slope_mb_per_h'])} MB/h (code and libraries paged in)",
            ),
            (
                "RSS children (MB)",
                f"{m['children']} processes, after warm-up "
                f"{m['children_mb_after_warmup']}, end {m['children_mb_end']}, slope "
                f"{_fmt(m['children_slope_mb_per_h'])} MB/h",
            ),
            (
                "open files",
                f"min {m['fds_min']}, max {m['fds_max']}, end {m['fds_end']}, "
                f"slope {_fmt(m['fds_slope_per_h'])} /h",
            ),
            ("samples", m["samples"]),
        ]
    rows += [
        (
            "DB size",
            f"{s['db_bytes_end'] / 1e6:.2f} MB, {_fmt(s['db_bytes_per_article'])} B "
            f"per article, growth after warm-up {_fmt(m.get('db_mb_slope_per_h'))} MB/h",
        ),
        (
            "DB per re-check",
            f"{_fmt(s['recheck_bytes_per_recheck'])} B "
            f"({s['recheck_new_bodies']} new bodies from re-checks)",
        ),
        ("DB largest tables", {k: f"{v / 1e6:.2f} MB" for k, v in s["largest_tables"].items()}),
        ("errors by kind", report["errors"]),
        (
            "sources failing at end",
            [f"{x['name']} ×{x['failures']}" for x in report["sources_failing_at_end"]],
        ),
        (
            "site served",
            f"{w['article_fetches']} article pages, {w['index_fetches']} feeds/"
            f"sitemaps ({w['index_304']} 304), {w['served_503']} 503s, "
            f"{w['served_404_in_spell']} 404s in spell, {w['hangs_done']} of "
            f"{w['hangs_planned']} hangs",
        ),
        (
            "Retry-After",
            f"honoured {w['retry_after_honoured']}, violated {w['retry_after_violated']}",
        ),
        ("log lines", report["log"]["lines_by_level"]),
        ("shutdown", f"{_fmt(report['shutdown_s'])} s after SIGTERM (exit {report['exit_code']})"),
        ("log file", report["log"]["path"]),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {_fmt(value) if not isinstance(value, str) else value}")
    if f["worst"]:
        print("\nfalse versions, worst articles:")
        for x in f["worst"]:
            print(f"  {x['false_versions']:>4}  {x['url']}")
        print("changes between consecutive versions not explained by an edit (digits as #):")
        for x in f["changes"]:
            print(f"  {x['count']:>4}  {x['change']}")
    if e["missed"]:
        print("\nedits not caught:")
        for x in e["missed"]:
            print(f"  host{x['host']} edited at {x['edited_s']} s, {x['versions']} versions: "
                  f"{x['url']}")  # fmt: skip
    if report["log"]["top_warnings"]:
        print("\ntop warnings/errors in the log:")
        for x in report["log"]["top_warnings"]:
            print(f"  {x['count']:>4}  {x['message']}")


# -- main ----------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--duration", type=float, default=600.0, help="seconds archiver run runs (default 600)")
    add("--hosts", type=int, default=8)
    add("--publish-every", type=float, default=20.0, help="seconds between articles per host")
    add("--initial", type=int, default=3, help="articles per host before the start")
    add("--edit-share", type=float, default=0.1, help="share of articles edited once")
    add("--generated-share", type=float, default=0.5, help="share of generated articles")
    add("--ladder", default="5s,10s,20s,40s,80s,160s", help="daemon.recheck_ladder")
    add("--tail", default="300s", help="daemon.recheck_tail ('' for none)")
    add("--poll-every", default="10s", help="how often each feed/sitemap is polled")
    add("--timeout", type=float, default=5.0, help="fetch timeouts (a hang lasts 2x + 2 s)")
    add("--retry-after", type=int, default=5, help="Retry-After of the 503 spells")
    add("--warmup", type=float, default=0.2, help="share of the run that is warm-up")
    add("--sample-every", type=float, default=None, help="seconds between samples")
    add("--discovery-grace", type=float, default=30.0, help="later articles are not 'due'")
    add("--seed", type=int, default=1)
    add("--env", action="append", default=[], help="extra KEY=VALUE for the daemon")
    add("--json", action="store_true", help="print the figures as JSON")
    add("--cleanup", action="store_true", help="remove the temp directory at the end")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    every = args.sample_every or min(10.0, max(2.0, args.duration / 120))
    tmp = Path(tempfile.mkdtemp(prefix="archiver-soak-"))
    home, sources, log_path = tmp / "home", tmp / "sources.toml", tmp / "daemon.log"
    corpus = Corpus.load(random.Random(args.seed))
    site = SoakSite(make_plan(args), corpus, seed=args.seed)

    def say(message: str) -> None:
        if not args.json:
            print(message, file=sys.stderr, flush=True)

    say(f"soak: {args.hosts} hosts, {args.duration:.0f} s, temp dir {tmp}")
    with site:
        write_sources(site, sources, args.poll_every)
        env = daemon_env(args, home, sources)
        with log_path.open("wb") as log:
            started = time.monotonic()
            wall_start = time.time()
            proc = subprocess.Popen(
                [*archiver_command(), "--log-format", "json", "run"],
                env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            sampler = Sampler(proc.pid, home, every, started)
            thread = threading.Thread(target=sampler.run, daemon=True)
            thread.start()
            deadline = started + args.duration
            next_note = started + 60
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.5)
                if time.monotonic() >= next_note:
                    next_note += 60
                    last = sampler.samples[-1] if sampler.samples else None
                    say(f"  {time.monotonic() - started:5.0f} s: {len(site.snapshot())} published"
                        + (f", {last.articles} archived, {last.captures} captures, RSS "
                           f"{last.rss_mb:.0f} MB, {last.fds} fds" if last else ""))  # fmt: skip
            sampler.stop.set()
            thread.join()
            sampler.sample()
            early_exit = proc.poll()
            stop_at = time.monotonic()
            wall_stop = time.time()
            if early_exit is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            shutdown = time.monotonic() - stop_at
    if early_exit is not None:
        print(f"archiver run exited early with {early_exit}; log: {log_path}", file=sys.stderr)
        print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
    report = analyse(site, home, wall_start, wall_stop, args)
    report.update(
        hosts=args.hosts, ladder=args.ladder, tail=args.tail or "none",
        grace=args.discovery_grace,
        memory=memory_report(sampler.samples, args.duration * args.warmup),
        site=site_report(site, args.retry_after), log=log_report(log_path),
        shutdown_s=None if early_exit is not None else round(shutdown, 2),
        exit_code=proc.returncode, temp_dir=str(tmp),
    )  # fmt: skip
    if args.json:
        report["samples"] = [
            [round(x.t, 1), round(x.rss_mb, 1), round(x.anon_mb, 1), round(x.file_mb, 1),
             round(x.children_mb, 1), x.fds, x.db_bytes, x.articles, x.captures]
            for x in sampler.samples
        ]  # fmt: skip
        report["samples_columns"] = ["t_s", "rss_mb", "anon_mb", "file_mb", "children_mb",
                                     "fds", "db_bytes", "articles", "captures"]  # fmt: skip
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    if args.cleanup:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if early_exit is None else 1


if __name__ == "__main__":
    sys.exit(main())
