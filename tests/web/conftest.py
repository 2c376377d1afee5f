"""The web app in-process (httpx over ASGI) on an isolated archive, with a web token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from archiver.archive import Services, open_services
from archiver.config import Settings, load_settings
from archiver.store import Store
from archiver.web import create_app

TOKEN = "test-web-token-0123456789"
BASE = "http://testserver"


@pytest.fixture
def web_settings(archiver_env: Path) -> Settings:
    settings = load_settings()
    settings.extract.workers = 1
    settings.web.token = TOKEN
    return settings


@pytest.fixture
async def services(web_settings: Settings) -> AsyncIterator[Services]:
    async with open_services(web_settings) as opened:
        yield opened


@pytest.fixture
def store(services: Services) -> Store:
    return services.store


@pytest.fixture
async def client(web_settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(web_settings, services=services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as opened:
        yield opened


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def article_ids(html: str) -> list[int]:
    """Article ids linked from a list page, in page order."""
    return [int(m) for m in re.findall(r'class="title" href="/articles/(\d+)"', html)]


def link(html: str, rel: str) -> str | None:
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def csrf_field(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)
