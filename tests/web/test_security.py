"""Headers on every response, the web token, CSRF and origin checks, and no tracebacks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from archiver.archive import Services
from archiver.config import Settings
from archiver.store import Store
from archiver.web import create_app
from archiver.web.security import CSRF_COOKIE, csrf_value
from tests.fixtures.seedpages import seed_page
from tests.localsite import LocalSite
from tests.web.conftest import BASE, TOKEN, bearer, csrf_field

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "url", ["/", "/search?q=x", "/sources", "/add", "/articles/5", "/api/articles",
            "/api/articles/5", "/static/style.css", "/api/openapi.json", "/?limit=x"],
)  # fmt: skip
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, url: str
) -> None:
    answer = await client.get(url)
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp  # no script, no inline style
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "server" not in answer.headers


async def test_templates_have_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    for url in ("/", "/search", "/sources", "/add", "/articles/1"):
        html = (await client.get(url)).text
        assert "<script" not in html and "<style" not in html and "style=" not in html, url


async def test_an_unexpected_error_is_a_500_page_without_traceback(
    client: httpx.AsyncClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(store, "browse", broken)
    for url, kind in (("/", "text/html"), ("/api/articles", "application/json")):
        answer = await client.get(url)
        assert answer.status_code == 500
        assert answer.headers["content-type"].startswith(kind)
        assert "secret internals" not in answer.text and "Traceback" not in answer.text
        assert answer.headers["x-frame-options"] == "DENY"


async def test_api_writes_need_the_bearer_token(client: httpx.AsyncClient) -> None:
    spec = {"url": "https://d.example/feed", "kind": "feed", "every": "1h"}
    writes = (("/api/sources", spec), ("/api/urls", {"url": "https://x.example/"}),
              ("/api/sources/x/pause", None))  # fmt: skip
    missing = ({}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
               {"Authorization": "Bearer"}, {"Authorization": "Bearer  "})  # fmt: skip
    for headers in missing:  # no bearer credentials: 401 with a challenge
        for url, body in writes:
            answer = await client.post(url, json=body, headers=headers)
            assert answer.status_code == 401, (url, headers)
            assert answer.headers["www-authenticate"] == 'Bearer realm="archiver"'
            assert "Bearer" in answer.json()["error"] and answer.json()["status"] == 401
            assert answer.headers["x-frame-options"] == "DENY"
    for url, body in writes:  # credentials, but the wrong ones: 403
        answer = await client.post(url, json=body, headers=bearer("wrong-token-wrong-token"))
        assert answer.status_code == 403, url
        assert answer.json() == {"error": "wrong web token in 'Authorization: Bearer <web token>'",
                                 "status": 403}  # fmt: skip
    ok = await client.post("/api/sources", json=spec, headers=bearer())
    assert ok.status_code == 201


async def _add_form(client: httpx.AsyncClient) -> str:
    page = await client.get("/add")
    assert page.status_code == 200
    return csrf_field(page.text)


async def test_form_post_needs_token_csrf_and_same_origin(
    client: httpx.AsyncClient, site: LocalSite
) -> None:
    url = site.url("/news/seed-1")
    site.set("/news/seed-1", seed_page(1, url=url).html)
    csrf = await _add_form(client)
    cookie = client.cookies[CSRF_COOKIE]
    assert csrf == csrf_value(TOKEN, cookie)
    good = {"url": url, "token": TOKEN, "csrf": csrf}
    same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}

    refused = [
        ({**good, "token": ""}, same, "wrong web token"),
        ({**good, "token": "nearly-" + TOKEN}, same, "wrong web token"),
        ({**good, "csrf": ""}, same, "reload and retry"),
        ({**good, "csrf": csrf_value("some-other-token-value", cookie)}, same, "reload and retry"),
        (good, {"Origin": "http://evil.example"}, "cross-origin"),
        (good, {"Origin": "null"}, "cross-origin"),
        (good, {"Sec-Fetch-Site": "cross-site"}, "cross-origin"),
        (good, {"Sec-Fetch-Site": "same-site"}, "cross-origin"),
    ]
    for fields, headers, message in refused:
        answer = await client.post("/add/url", data=fields, headers=headers)
        assert answer.status_code == 403, (fields, headers)
        assert message in answer.text
        assert TOKEN not in answer.text  # the typed secret is never echoed
    assert not site.hits_for("/news/seed-1")  # nothing was fetched

    no_cookie = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    async with no_cookie:
        answer = await no_cookie.post("/add/url", data=good, headers=same)
        assert answer.status_code == 403 and "reload and retry" in answer.text

    done = await client.post("/add/url", data=good, headers=same)
    assert done.status_code == 200, done.text
    assert "<strong>new</strong>" in done.text and 'href="/articles/1"' in done.text
    plain = await client.post("/add/url", data=good)  # no Origin / Sec-Fetch-Site: token decides
    assert plain.status_code == 200 and "<strong>unchanged</strong>" in plain.text


async def test_csrf_cookie_is_httponly_and_strict(client: httpx.AsyncClient) -> None:
    page = await client.get("/add")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    again = await client.get("/add")
    assert "set-cookie" not in again.headers  # one nonce per browser session


async def test_source_forms(client: httpx.AsyncClient, store: Store) -> None:
    csrf = await _add_form(client)
    fields = {"url": "https://e.example/sitemap.xml", "kind": "sitemap", "every": "2h",
              "name": "e-map", "token": TOKEN, "csrf": csrf}  # fmt: skip
    added = await client.post("/add/source", data=fields)
    assert added.status_code == 200 and "Added source e-map (sitemap)." in added.text
    assert store.source("e-map").every_seconds == 7200
    bad = await client.post("/add/source", data={**fields, "name": "f", "every": "soon"})
    assert bad.status_code == 400 and 'value="soon"' in bad.text  # the form keeps what was typed
    paused = await client.post(
        "/sources/state", data={"name": "e-map", "action": "pause", "token": TOKEN, "csrf": csrf}
    )
    assert paused.status_code == 200 and "Source e-map paused." in paused.text
    assert store.source("e-map").paused is True


@pytest.fixture
async def tokenless(web_settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    web_settings.web.token = None
    app = create_app(web_settings, services=services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


async def test_without_a_token_writes_are_disabled_with_a_message(
    tokenless: httpx.AsyncClient,
) -> None:
    page = await tokenless.get("/add")
    assert page.status_code == 200
    assert "Changes through the web are disabled" in page.text
    assert "ARCHIVER_WEB__TOKEN" in page.text
    assert '<form method="post"' not in page.text and "set-cookie" not in page.headers
    for url in ("/add/url", "/add/source", "/sources/state"):
        answer = await tokenless.post(url, data={"url": "https://x.example/", "token": "",
                                                 "csrf": ""})  # fmt: skip
        assert answer.status_code == 403 and "disabled" in answer.text
    for url in ("/api/urls", "/api/sources", "/api/sources/x/pause"):
        answer = await tokenless.post(url, json={}, headers=bearer(""))
        assert answer.status_code == 403 and "disabled" in answer.json()["error"]
