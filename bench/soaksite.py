"""The evolving multi-host news site that ``bench/soak.py`` points ``archiver run`` at.

Each host is a real threaded HTTP server on its own loopback address serving
``/robots.txt``, a feed (``/rss.xml``) or a sitemap (``/sitemap.xml``) with an
ETag, and articles under ``/news/<n>-<slug>``. Articles are real pages from the
article-extraction benchmark (``/work/shared/eval/article-extraction-benchmark``)
or generated markup built from the benchmark's sentences. Every fetch of an
article renders fresh *chrome*: a rotating promo line inside the body and,
right after the body, a "Most read" box whose headlines rotate and that ends
with a ticking ``Updated at HH:MM:SS``. None of that is an edit; the only edits
are the ones :class:`SoakSite` schedules and records (a sentence inserted into a
body paragraph at a known time).

Misbehaviour is scheduled too: spells of ``503`` with ``Retry-After`` on one
host, one host answering ``404`` to everything but robots.txt for a while, and
a few requests that hang longer than the client's timeout before the
connection is dropped. Everything served is counted in :attr:`SoakSite.stats`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BENCHMARK = Path("/work/shared/eval/article-extraction-benchmark")

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_PLAIN_WORDS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,]*$")
_AUTHORS = ("Dana Whitfield", "Marcus Lee", "Riya Kapoor", "Sam Kowalski", "Ana Ortiz")
_PROMOS = (
    "Subscribe now: your first month for just $1.",
    "Get our morning briefing in your inbox every weekday.",
    "Listen to today's podcast on your way to work.",
    "Download our app for breaking news alerts.",
    "Support independent journalism: become a member today.",
    "Try our new crossword, free for a limited time.",
)


# -- content -------------------------------------------------------------------


@dataclass(frozen=True)
class BenchPage:
    """A benchmark page with the positions the site needs to change it."""

    id: str
    html: str
    edit_at: int | None  # offset of a body paragraph's first words (an edit goes there)
    box_at: int  # offset just after the body's last paragraph (the chrome goes there)


def _find_words(page: str, paragraph: str, *, anywhere: bool = False) -> int | None:
    """Offset in ``page`` of six plain words of ``paragraph`` (its first six, or any six)."""
    words = paragraph.split()
    for start in range(0, max(1, len(words) - 5) if anywhere else 1):
        window = words[start : start + 6]
        if len(window) < 6 or not _PLAIN_WORDS.match(" ".join(window)):
            continue
        pattern = r"\s+".join(re.escape(w) for w in window)
        hits = [m.start() for m in re.finditer(pattern, page) if _in_text(page, m.start())]
        if hits:
            return hits[-1] if anywhere else hits[0]
    return None


def _in_text(page: str, at: int) -> bool:
    """Whether offset ``at`` is in an element's text (not a tag, comment or script)."""
    if page.rfind("<", 0, at) > page.rfind(">", 0, at):
        return False
    lower = page[:at].lower()
    return lower.rfind("<script") <= lower.rfind("</script") and (
        lower.rfind("<!--") <= lower.rfind("-->")
    )


def _load_bench_page(id_: str, body: str) -> BenchPage | None:
    path = BENCHMARK / "html" / f"{id_}.html.gz"
    try:
        page = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    except OSError:
        return None
    paragraphs = [p for p in body.split("\n") if len(p.split()) >= 12]
    if len(paragraphs) < 4:
        return None
    offsets = [_find_words(page, p) for p in paragraphs]
    last = _find_words(page, paragraphs[-1], anywhere=True)
    if last is None:
        return None
    close = page.find("</p>", last)
    if close < 0 or close - last > 20_000:
        return None
    middle = [o for o in offsets[1 : len(offsets) - 1] if o is not None]
    return BenchPage(id_, page, middle[len(middle) // 2] if middle else None, close + 4)


@dataclass
class Corpus:
    """Benchmark pages (each served at most once) and sentences for generated articles."""

    pages: list[BenchPage]
    sentences: list[str]
    headlines: list[str]

    @classmethod
    def load(cls, rng: random.Random) -> Corpus:
        truth: dict[str, dict[str, Any]] = json.loads(
            (BENCHMARK / "ground-truth.json").read_text(encoding="utf-8")
        )
        pages: list[BenchPage] = []
        sentences: list[str] = []
        for id_, item in sorted(truth.items()):
            body = str(item.get("articleBody") or "")
            for sentence in _SENTENCE.split(body.replace("\n", " ")):
                if 8 <= len(sentence.split()) <= 40 and sentence[-1:] in ".!?":
                    sentences.append(sentence.strip())
            if (page := _load_bench_page(id_, body)) is not None:
                pages.append(page)
        rng.shuffle(pages)
        headlines = [" ".join(s.split()[:9]).rstrip(",.;:") for s in sentences[::7]]
        return cls(pages, sentences, headlines)


# -- articles ------------------------------------------------------------------


@dataclass
class Article:
    host: int
    number: int
    slug: str
    path: str
    published: float  # time.time()
    bench: BenchPage | None = None  # None: generated markup
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    edit_due: float | None = None  # when the edit is to be made (time.time())
    edited: float | None = None  # when it was made
    edit_sentence: str = ""  # the sentence the edit inserts (searched for in versions)
    fetches: int = 0

    @property
    def kind(self) -> str:
        return "benchmark" if self.bench is not None else "generated"

    @property
    def editable(self) -> bool:
        return self.bench is None or self.bench.edit_at is not None


def _hms(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%H:%M:%S")


def _chrome(rng: random.Random, headlines: list[str], now: float) -> tuple[str, str]:
    """A rotating promo line (inside the body) and a "Most read" box (after it)."""
    promo = f'<aside class="promo"><p>{html.escape(rng.choice(_PROMOS))}</p></aside>'
    items = "".join(
        f"<li><a href='/news/most-read-{rng.randrange(10_000)}'>{html.escape(h)}</a>"
        f"<span class='age'> {rng.randrange(2, 59)} min ago</span></li>"
        for h in rng.sample(headlines, 5)
    )
    box = (
        "<section class='most-read'><h2>Most read</h2><ol>" + items + "</ol>"
        f"<p class='views'>{rng.randrange(1000, 99_999):,} readers right now</p>"
        f"<p class='updated'>Updated at {_hms(now)}</p></section>"
    )
    return promo, box


def render_generated(article: Article, site_name: str, promo: str, box: str) -> str:
    published = datetime.fromtimestamp(article.published, UTC).isoformat()
    author = _AUTHORS[article.number % len(_AUTHORS)]
    paragraphs = list(article.paragraphs)
    if article.edited is not None:
        middle = len(paragraphs) // 2
        paragraphs[middle] = f"{article.edit_sentence} {paragraphs[middle]}"
    body = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    body.insert(min(3, len(body)), promo)
    title = html.escape(article.title)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | {site_name}</title>"
        f"<meta property='og:title' content='{title}'>"
        f"<meta property='og:site_name' content='{site_name}'>"
        f"<meta property='article:published_time' content='{published}'>"
        f"<meta name='author' content='{author}'></head><body>"
        f"<header><a href='/'>{site_name}</a><nav><a href='/world/'>World</a>"
        "<a href='/business/'>Business</a><a href='/login'>Log in</a></nav></header>"
        f"<main><article><h1>{title}</h1><p class='byline'>By {author}</p>"
        f"<time datetime='{published}'>{published[:10]}</time>"
        f"<div class='article-body'>{''.join(body)}</div>{box}</article></main>"
        f"<footer><p>&copy; 2026 {site_name}. All rights reserved.</p></footer></body></html>"
    )


def render_bench(article: Article, promo: str, box: str) -> str:
    page = article.bench
    assert page is not None
    text = page.html
    cuts: list[tuple[int, str]] = [(page.box_at, promo + box)]
    if article.edited is not None and page.edit_at is not None:
        cuts.append((page.edit_at, html.escape(article.edit_sentence) + " "))
    for at, insert in sorted(cuts, reverse=True):
        text = text[:at] + insert + text[at:]
    return text


# -- the site ------------------------------------------------------------------


@dataclass(frozen=True)
class Spell:
    start: float  # seconds after the site's start
    end: float
    status: int  # 404 or 503
    retry_after: int = 0


@dataclass
class Hang:
    at: float  # seconds after start: the next matching request after this hangs
    path_kind: str  # "article" or "index"
    done_at: float | None = None
    path: str = ""


@dataclass
class Plan:
    """What the site does and when (all times in seconds after its start)."""

    hosts: int = 8
    initial: int = 3  # articles per host before the start
    publish_every: float = 20.0
    generated_share: float = 0.5
    edit_share: float = 0.1
    edit_after: tuple[float, float] = (25.0, 90.0)  # an edit this long after publication
    edit_until: float = 1e18  # no edit is made after this
    spells: dict[int, list[Spell]] = field(default_factory=dict)  # host index -> spells
    hangs: dict[int, list[Hang]] = field(default_factory=dict)  # host index -> hangs
    hang_seconds: float = 12.0
    forced_edits: list[tuple[int, float]] = field(default_factory=list)  # (host, at)
    sitemap_hosts: frozenset[int] = frozenset()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class SoakSite:
    """``plan.hosts`` loopback hosts (127.0.0.11, .12, ...) publishing, editing, failing."""

    def __init__(self, plan: Plan, corpus: Corpus, seed: int = 1) -> None:
        self.plan = plan
        self.corpus = corpus
        self.rng = random.Random(seed)
        self.chrome_rng = random.Random(seed + 1)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.t0 = time.time()
        self.articles: list[Article] = []
        self.by_path: dict[tuple[int, str], Article] = {}
        self.stats: Counter[str] = Counter()  # "host3 article 200", "index 503", ...
        self.log: list[tuple[float, int, str]] = []  # (time.time(), host, "article 503")
        self.servers: list[_Server] = []
        self.threads: list[threading.Thread] = []
        self.next_publish: list[float] = []
        self._pages = iter(corpus.pages)
        self._numbers = 0
        for index in range(plan.hosts):
            self.servers.append(_Server((f"127.0.0.{11 + index}", 0), self._handler(index)))

    # -- addresses ---------------------------------------------------------------
    def base(self, host: int) -> str:
        address, port = self.servers[host].server_address[:2]
        return f"http://{address!s}:{port}"

    def index_url(self, host: int) -> str:
        kind = "/sitemap.xml" if host in self.plan.sitemap_hosts else "/rss.xml"
        return self.base(host) + kind

    def url(self, article: Article) -> str:
        return self.base(article.host) + article.path

    def site_name(self, host: int) -> str:
        return f"Soak Herald {host + 1}"

    # -- life cycle --------------------------------------------------------------
    def start(self) -> None:
        self.t0 = time.time()
        for host in range(self.plan.hosts):
            for _ in range(self.plan.initial):
                self._publish(host, self.t0)
            offset = self.plan.publish_every * (host + 1) / self.plan.hosts
            self.next_publish.append(self.t0 + offset)
        for server in self.servers:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            self.threads.append(thread)
        clock = threading.Thread(target=self._tick_forever, daemon=True)
        clock.start()
        self.threads.append(clock)

    def stop(self) -> None:
        self.stopping.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> SoakSite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tick_forever(self) -> None:
        while not self.stopping.wait(0.25):
            self.tick(time.time())

    def tick(self, now: float) -> None:
        """Publish what is due and make the edits that are due."""
        with self.lock:
            for host, due in enumerate(self.next_publish):
                if now >= due:
                    self._publish(host, now)
                    jitter = self.rng.uniform(0.75, 1.25)
                    self.next_publish[host] = due + self.plan.publish_every * jitter
            for article in self.articles:
                if article.edited is None and (article.edit_due or now + 1) <= now:
                    article.edited = now
            for forced in list(self.plan.forced_edits):
                host, at = forced
                candidates = [
                    a
                    for a in self.articles
                    if a.host == host and a.edit_due is None and a.editable
                    and a.published < self.t0 + at - self.plan.edit_after[0]
                ]  # fmt: skip
                if candidates:
                    self.rng.choice(candidates).edit_due = self.t0 + at
                    self.plan.forced_edits.remove(forced)

    def _publish(self, host: int, now: float) -> Article:
        self._numbers += 1
        number = self._numbers
        bench = None
        if self.rng.random() >= self.plan.generated_share:
            bench = next(self._pages, None)
        article = Article(host, number, "", "", now, bench)
        if bench is None:
            count = self.rng.randrange(7, 13)
            picks = self.rng.sample(self.corpus.sentences, count * 3)
            article.paragraphs = [" ".join(picks[i * 3 : i * 3 + 3]) for i in range(count)]
            article.title = " ".join(self.rng.choice(self.corpus.headlines).split()[:8])
        else:
            found = re.search(r"<title[^>]*>(.*?)</title>", bench.html, re.S | re.I)
            article.title = html.unescape(found[1]).strip() if found else bench.id[:12]
        words = re.findall(r"[a-z0-9]+", article.title.lower())[:6] or ["story"]
        article.slug = "-".join(words)
        article.path = f"/news/{number}-{article.slug}"
        article.edit_sentence = (
            f"The figure was revised to {number * 7919 + 1013:,} after this report "
            "was first published."
        )
        low, high = self.plan.edit_after
        due = now + self.rng.uniform(low, high)
        chosen = article.editable and self.rng.random() < self.plan.edit_share
        if chosen and due - self.t0 <= self.plan.edit_until:
            article.edit_due = due
        self.articles.append(article)
        self.by_path[(host, article.path)] = article
        return article

    # -- documents ---------------------------------------------------------------
    def _index_body(self, host: int) -> tuple[str, str]:
        with self.lock:
            mine = [a for a in self.articles if a.host == host][-100:]
        base = self.base(host)
        if host in self.plan.sitemap_hosts:
            urls = "".join(
                f"<url><loc>{base}{a.path}</loc><lastmod>"
                f"{datetime.fromtimestamp(a.published, UTC).isoformat()}</lastmod></url>"
                for a in reversed(mine)
            )
            body = (
                "<?xml version='1.0' encoding='UTF-8'?>"
                f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
            )
            return body, "application/xml"
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{base}{a.path}</link>"
            f"<guid isPermaLink='true'>{base}{a.path}</guid>"
            f"<pubDate>{format_datetime(datetime.fromtimestamp(a.published, UTC))}</pubDate>"
            "</item>"
            for a in reversed(mine)
        )
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>{self.site_name(host)}</title><link>{base}/</link>"
            f"<description>News</description>{items}</channel></rss>"
        )
        return body, "application/rss+xml"

    def _article_body(self, article: Article, now: float) -> str:
        with self.lock:
            article.fetches += 1
            promo, box = _chrome(self.chrome_rng, self.corpus.headlines, now)
        if article.bench is not None:
            return render_bench(article, promo, box)
        return render_generated(article, self.site_name(article.host), promo, box)

    # -- serving -----------------------------------------------------------------
    def _spell(self, host: int, now: float) -> Spell | None:
        at = now - self.t0
        for spell in self.plan.spells.get(host, ()):
            if spell.start <= at < spell.end:
                return spell
        return None

    def _take_hang(self, host: int, kind: str, path: str, now: float) -> bool:
        with self.lock:
            for hang in self.plan.hangs.get(host, ()):
                if hang.done_at is None and hang.path_kind == kind and now - self.t0 >= hang.at:
                    hang.done_at, hang.path = now - self.t0, path
                    return True
        return False

    def _handler(self, host: int) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionError, TimeoutError):
                    super().handle()

            def do_GET(self) -> None:
                site._serve(host, self)

            def do_HEAD(self) -> None:
                site._serve(host, self)

        return Handler

    def _count(self, host: int, what: str) -> None:
        with self.lock:
            self.log.append((time.time(), host, what))
            self.stats[f"host{host + 1} {what}"] += 1
            self.stats[what] += 1

    def _send(
        self, req: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        req.send_response(status)
        for name, value in headers.items():
            req.send_header(name, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(body)

    def _serve(self, host: int, req: BaseHTTPRequestHandler) -> None:
        now = time.time()
        path = req.path.split("?")[0]
        if path == "/robots.txt":  # never part of a spell: its errors disallow a host
            self._count(host, "robots 200")
            text = "User-agent: *\nAllow: /\n"
            self._send(req, 200, text.encode(), {"Content-Type": "text/plain"})
            return
        index = path in ("/rss.xml", "/sitemap.xml")
        kind = "index" if index else "article"
        if (spell := self._spell(host, now)) is not None:
            self._count(host, f"{kind} {spell.status}")
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if spell.retry_after:
                headers["Retry-After"] = str(spell.retry_after)
            self._send(req, spell.status, b"<h1>Unavailable</h1>", headers)
            return
        if self._take_hang(host, kind, path, now):
            self._count(host, f"{kind} hang")
            deadline = now + self.plan.hang_seconds
            while time.time() < deadline and not self.stopping.is_set():
                time.sleep(0.2)
            req.close_connection = True
            return
        if index:
            body, content_type = self._index_body(host)
            etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:16] + '"'
            if req.headers.get("If-None-Match") == etag:
                self._count(host, "index 304")
                self._send(req, 304, b"", {"ETag": etag})
                return
            self._count(host, "index 200")
            self._send(req, 200, body.encode(), {"Content-Type": content_type, "ETag": etag})
            return
        with self.lock:
            article = self.by_path.get((host, path))
        if article is None:
            self._count(host, "other 404")
            self._send(req, 404, b"not found", {"Content-Type": "text/plain"})
            return
        self._count(host, "article 200")
        page = self._article_body(article, now).encode("utf-8")
        self._send(req, 200, page, {"Content-Type": "text/html; charset=utf-8"})

    # -- reporting ---------------------------------------------------------------
    def snapshot(self) -> list[Article]:
        with self.lock:
            return list(self.articles)

    def hangs_done(self) -> Iterator[tuple[int, Hang]]:
        for host, hangs in self.plan.hangs.items():
            for hang in hangs:
                yield host, hang
