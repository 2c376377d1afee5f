"""The ``[notify]`` settings: ``[[notify.webhook]]`` entries and how deliveries are retried.

A webhook needs a ``url`` (http or https) and a ``secret`` (the HMAC-SHA256 key
of its signatures); ``events`` is a subset of ``new``, ``updated``, ``error``;
``site`` / ``source`` (a name or a list of names) keep only the events of those
sites / sources. ``name`` identifies the webhook in the outbox and in ``archiver
status`` (default: the URL's host and path); it must be unique. In the
environment, the list is JSON: ``ARCHIVER_NOTIFY__WEBHOOK='[{"url": ..., "secret": ...}]'``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from archiver.durations import config_seconds
from archiver.records.notify import WebhookRoute

EventName = Literal["new", "updated", "error"]


def _names(value: str | list[str]) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if any(not name.strip() for name in names):
        raise ValueError("names must not be empty")
    return names


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="http(s) URL the events are POSTed to")
    secret: str = Field(
        min_length=16, repr=False, description="HMAC-SHA256 key of the signature header"
    )
    events: list[EventName] = Field(
        ["new", "updated", "error"], min_length=1, description="which events to send"
    )
    name: str | None = Field(None, description="its name in the outbox and in `archiver status`")
    site: str | list[str] = Field(default_factory=list, description="only these sites' events")
    source: str | list[str] = Field(default_factory=list, description="only these sources'")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a webhook URL must be an http:// or https:// URL with a host")
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError as exc:
            raise ValueError(f"bad port in webhook URL: {exc}") from exc
        return value

    @field_validator("site", "source")
    @classmethod
    def _check_names(cls, value: str | list[str]) -> str | list[str]:
        _names(value)
        return value

    @property
    def label(self) -> str:
        """``name``, else the URL's host and path (never its query: it may hold a token)."""
        if self.name:
            return self.name
        parts = urlsplit(self.url)
        return f"{parts.netloc.rpartition('@')[2]}{parts.path}".rstrip("/")

    @property
    def route(self) -> WebhookRoute:
        sites = tuple(s.lower().removeprefix("www.") for s in _names(self.site))
        return WebhookRoute(self.label, tuple(self.events), sites, tuple(_names(self.source)))


class NotifySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook: list[WebhookSettings] = Field(default_factory=list, description="[[notify.webhook]]")
    every: str | float = Field("5s", description="how often `archiver run` sends what is due")
    timeout: float = Field(10.0, gt=0, description="seconds one delivery may take, all in")
    max_attempts: int = Field(12, ge=1, description="attempts before a delivery is failed")
    retry_after: str | float = Field("30s", description="first retry; doubling each time")
    retry_max: str | float = Field("1h", description="cap on the wait between two attempts")
    concurrency: int = Field(4, ge=1, description="deliveries in flight per webhook")
    batch: int = Field(100, ge=1, description="deliveries claimed per webhook per round")
    base_url: str | None = Field(
        None, description="prefix of the payload's links (e.g. https://archive.example.org)"
    )

    @field_validator("every", "retry_after", "retry_max")
    @classmethod
    def _check_duration(cls, value: str | float) -> str | float:
        config_seconds(value)
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("base_url must be an http:// or https:// URL")
        return None if value is None else value.rstrip("/")

    @field_validator("webhook")
    @classmethod
    def _unique_names(cls, value: list[WebhookSettings]) -> list[WebhookSettings]:
        labels = [hook.label for hook in value]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"two webhooks are named {twice[0]!r}: give each a distinct `name`")
        return value

    def seconds(self, name: str) -> float:
        value: str | float = getattr(self, name)
        return config_seconds(value)

    @property
    def routes(self) -> list[WebhookRoute]:
        return [hook.route for hook in self.webhook]
