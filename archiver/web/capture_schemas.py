"""The API's shapes of captures (``GET /api/articles/{article_id}/captures``).

Kept beside ``schemas.py`` (same base model, same rules); the keys are those of
``archiver captures --json`` (``archiver.capture_json``).
"""

from __future__ import annotations

from pydantic import Field

from archiver.web.fields import Time
from archiver.web.schemas import Shape


class CaptureRow(Shape):
    capture_id: int
    fetched_at: Time
    status: int | None = Field(description="HTTP status; None when no response came.")
    requested_url: str
    final_url: str | None
    content_type: str | None
    body_hash: str | None = Field(description="SHA-256 (hex) of the raw body, when one is stored.")
    error: str | None
    raw: str | None = Field(description="Path of what was fetched, served sandboxed.")


class Captures(Shape):
    article_id: int
    url: str
    captures: list[CaptureRow] = Field(description="Newest first.")
