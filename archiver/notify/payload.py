"""A delivery's JSON body, its HMAC-SHA256 signature and its headers.

The body is the event as the outbox row keeps it (written with the event's
commit), plus its ``id`` (the idempotency key), ``event``, ``webhook`` and
``links``; it is the same bytes on every attempt. The signature is
``sha256=<hex>`` of HMAC-SHA256 over exactly those bytes with the webhook's
secret, in ``X-Archiver-Signature``; the key is also ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from archiver.records.notify import OutboxItem

SIGNATURE_HEADER = "X-Archiver-Signature"
KEY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Archiver-Event"


def links(data: dict[str, Any], base_url: str | None) -> dict[str, str | None]:
    """The article's page (at this version), the diff from the version before, the API."""
    article_id, seq = data.get("article_id"), data.get("version")
    if article_id is None:
        return {"article": None, "diff": None, "api": None}
    base = base_url or ""
    page = f"{base}/articles/{article_id}" + (f"?version={seq}" if seq else "")
    diff = None
    if isinstance(seq, int) and seq > 1:
        diff = f"{base}/articles/{article_id}/diff?{urlencode({'from': seq - 1, 'to': seq})}"
    return {"article": page, "diff": diff, "api": f"{base}/api/articles/{article_id}"}


def body(item: OutboxItem, base_url: str | None = None) -> bytes:
    """The bytes POSTed for ``item`` (compact JSON, keys sorted)."""
    data: dict[str, Any] = json.loads(item.payload)
    document = {
        **data,
        "id": item.idempotency_key,
        "event": item.event,
        "webhook": item.webhook,
        "links": links(data, base_url),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, raw: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def verify(secret: str, raw: bytes, header: str) -> bool:
    """What a receiver does: the header matches the body's signature (constant time)."""
    return hmac.compare_digest(sign(secret, raw), header)


def headers(item: OutboxItem, secret: str, raw: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, raw),
        KEY_HEADER: item.idempotency_key,
        EVENT_HEADER: item.event,
    }
