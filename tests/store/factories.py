"""Builders for store inputs with sensible defaults."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from archiver.store import CaptureIn, RecordResult, Store, VersionIn

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def capture(url: str, *, minutes: int = 0, **kw: object) -> CaptureIn:
    fields: dict[str, object] = {"status": 200, "final_url": url, "content_type": "text/html"}
    fields.update(kw)
    return CaptureIn(requested_url=url, fetched_at=at(minutes), **fields)  # type: ignore[arg-type]


def content(text: str, *, title: str | None = "A title", **kw: object) -> VersionIn:
    fields: dict[str, object] = {
        "authors": ("Jane Doe",),
        "published": "2024-05-01",
        "modified": None,
        "site_name": "Example News",
        "language": "en",
        "description": None,
    }
    fields.update(kw)
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return VersionIn(title=title, text=text, text_hash=digest, **fields)  # type: ignore[arg-type]


def html(text: str) -> bytes:
    return f"<html><body><article>{text}</article></body></html>".encode()


def record(
    store: Store,
    url: str,
    text: str,
    *,
    canonical: str | None = None,
    urls: tuple[str, ...] | None = None,
    title: str | None = "A title",
    minutes: int = 0,
    raw: bytes | None = None,
    site: str = "news.example",
) -> RecordResult:
    """Record a successful fetch of ``url`` whose article text is ``text``."""
    canonical = canonical or url
    return store.record(
        capture(url, minutes=minutes),
        raw if raw is not None else html(text),
        urls=urls if urls is not None else (url,),
        canonical_url=canonical,
        site=site,
        content=content(text, title=title),
    )
