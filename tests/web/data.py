"""A small archive written straight through the Store, for the in-process web tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from archiver.store import SourceSpec, Store
from tests.store.factories import capture, content, html

XSS_TITLE = '</title><script>document.title="pwned"</script> Harbour <b>bold</b>'
XSS_TEXT = (
    'Harbour payload <script>window.__pwned = 1</script> and <img src=x onerror="alert(1)">.\n'
    'A link: <a href="javascript:alert(2)">click</a> "quoted" & done.'
)


@dataclass
class Archive:
    ids: list[int] = field(default_factory=list)  # the many plain articles, oldest first
    edited: int = 0  # an article with two versions (text and title changed)
    xss: int = 0  # an article whose title and text are hostile markup
    wire: int = 0  # id of the source "wire"


def _record(
    store: Store, url: str, text: str, *, minutes: int, site: str, title: str,
    source_id: int | None = None, urls: tuple[str, ...] = (),
) -> int:  # fmt: skip
    return store.record(
        capture(url, minutes=minutes, source_id=source_id),
        html(text),
        urls=(url, *urls),
        canonical_url=url,
        site=site,
        content=content(text, title=title),
    ).article_id


def populate(store: Store, plain: int = 12) -> Archive:
    made = Archive()
    spec = SourceSpec("wire", "feed", "https://a.example/feed", 900, None, None, None)
    wire = store.add_source(spec)
    made.wire = wire.id
    for n in range(plain):
        site = "a.example" if n % 3 else "b.example"
        made.ids.append(
            _record(
                store,
                f"https://{site}/story/{n}",
                f"Story {n} about the ferry timetable.\nSecond paragraph of story {n}.",
                minutes=n // 2,  # pairs share a first_seen: ties are broken by id
                site=site,
                title=f"Ferry story {n}",
                source_id=wire.id if site == "a.example" else None,
            )
        )
    url = "https://c.example/news/bridge"
    made.edited = _record(
        store, url, "The bridge opens on Monday.\nTraffic will be light.", minutes=100,
        site="c.example", title="Bridge opens", urls=("https://c.example/s/42",),
    )  # fmt: skip
    _record(
        store, url, "The bridge opens on Tuesday.\nTraffic will be light.\nTolls apply.",
        minutes=160, site="c.example", title="Bridge opens a day late",
    )  # fmt: skip
    made.xss = _record(
        store, "https://evil.example/x", XSS_TEXT, minutes=200, site="evil.example",
        title=XSS_TITLE,
    )  # fmt: skip
    return made
