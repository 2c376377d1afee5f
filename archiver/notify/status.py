"""The webhooks' part of ``archiver status``: deliveries per webhook and the last error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from archiver.records.notify import WebhookStatus

ERROR_CHARS = 160


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def webhook_lines(statuses: Sequence[WebhookStatus]) -> list[str]:
    """One line per webhook, and its last error (if any) under it."""
    lines = []
    for item in statuses:
        gone = "" if item.configured else " (no longer configured)"
        lines.append(
            f"webhook {item.name}{gone}: {item.delivered} delivered, {item.pending} pending, "
            f"{item.failed} failed"
        )
        if item.last_error is not None:
            error = " ".join(item.last_error.split())
            if len(error) > ERROR_CHARS:
                error = error[: ERROR_CHARS - 3] + "..."
            lines.append(f"  last error at {_iso(item.last_error_at)}: {error}")
    return lines


def webhook_json(statuses: Sequence[WebhookStatus]) -> list[dict[str, Any]]:
    return [
        {
            "name": item.name,
            "configured": item.configured,
            "delivered": item.delivered,
            "pending": item.pending,
            "failed": item.failed,
            "last_error": item.last_error,
            "last_error_at": _iso(item.last_error_at),
            "last_delivered_at": _iso(item.last_delivered_at),
        }
        for item in statuses
    ]
