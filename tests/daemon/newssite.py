"""A small news site on 127.0.0.1 for daemon tests: articles plus the documents
sources discover them through (RSS feed, sitemap index + news sitemap, section
page). ``publish``/``edit`` change what it serves between polls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite


@dataclass
class Story:
    slug: str
    seed: int
    edit: str | None = None
    rail: int = 0


@dataclass
class NewsSite:
    site: LocalSite
    stories: list[Story] = field(default_factory=list)
    etags: bool = False  # serve articles with ETags (so re-checks get 304s)

    def url(self, path: str) -> str:
        return self.site.url(path)

    def article_path(self, slug: str) -> str:
        return f"/news/2026/11/{slug}"

    def publish(self, slug: str, seed: int, *, edit: str | None = None) -> str:
        self.stories.append(Story(slug, seed, edit))
        self._serve_story(self.stories[-1])
        self._serve_indexes()
        return self.url(self.article_path(slug))

    def edit(self, slug: str, text: str) -> None:
        story = next(s for s in self.stories if s.slug == slug)
        story.edit = text
        self._serve_story(story)

    def churn(self, slug: str) -> None:
        """Rotate the rail and ads of a story without touching its text."""
        story = next(s for s in self.stories if s.slug == slug)
        story.rail += 1
        self._serve_story(story)

    def _serve_story(self, story: Story) -> None:
        path = self.article_path(story.slug)
        page = seed_page(story.seed, url=self.url(path), edit=story.edit, rail_variant=story.rail)
        headers = {"ETag": f'"{story.slug}-{story.rail}-{hash(story.edit)}"'} if self.etags else {}
        self.site.set(path, page.html, headers=headers)

    def _index(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        """Serve an index document with an ETag, as feeds and sitemaps usually are."""
        etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:16] + '"'
        self.site.set(path, body, content_type=content_type, headers={"ETag": etag})

    def _serve_indexes(self) -> None:
        now = format_datetime(datetime(2026, 11, 21, tzinfo=UTC))
        items = "".join(
            f"<item><title>{s.slug}</title><link>{self.article_path(s.slug)}</link>"
            f"<guid isPermaLink='false'>{s.slug}</guid><pubDate>{now}</pubDate></item>"
            for s in self.stories
        )
        self._index(
            "/rss.xml",
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>"
            f"<link>{self.url('/')}</link><description>d</description>{items}</channel></rss>",
            content_type="application/rss+xml",
        )
        urls = "".join(
            f"<url><loc>{self.url(self.article_path(s.slug))}</loc></url>" for s in self.stories
        )
        self._index(
            "/sitemap-news.xml",
            "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"{urls}</urlset>",
            content_type="application/xml",
        )
        self._index(
            "/sitemap_index.xml",
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>{self.url('/sitemap-news.xml')}</loc></sitemap></sitemapindex>",
            content_type="application/xml",
        )
        links = "".join(
            f"<li><a href='{self.article_path(s.slug)}'>{s.slug}</a></li>" for s in self.stories
        )
        self._index(
            "/world/",
            "<html><head><title>World</title></head><body><nav><a href='/'>Home</a>"
            "<a href='/world/'>World</a><a href='/login'>Log in</a></nav>"
            f"<main><h1>World</h1><ul>{links}</ul></main></body></html>",
        )
