"""The web token asked once per browser session: a signed, HttpOnly, SameSite=Strict,
expiring cookie; forms without a password field; CSRF still checked; sign out."""

from __future__ import annotations

import re

import httpx
import pytest

from archiver.web.security import CSRF_COOKIE, SIGN_IN
from archiver.web.session import SESSION_COOKIE, SESSION_SECONDS, new_value
from tests.web.conftest import BASE, TOKEN, csrf_field

pytestmark = pytest.mark.anyio
SAME = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}


async def sign_in(client: httpx.AsyncClient, next_path: str = "/add") -> httpx.Response:
    page = await client.get("/login", params={"next": next_path})
    assert page.status_code == 200 and 'type="password" name="token"' in page.text
    fields = {"token": TOKEN, "csrf": csrf_field(page.text), "next": next_path}
    return await client.post("/login", data=fields, headers=SAME)


async def test_signing_in_sets_a_strict_expiring_session_cookie(client: httpx.AsyncClient) -> None:
    done = await sign_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/add"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={SESSION_SECONDS}" in cookie
    assert TOKEN not in cookie  # signed with the token, never carrying it
    add = await client.get("/add")
    assert 'name="token"' not in add.text  # signed in: no password field on any form
    assert 'action="/add/url"' in add.text and 'action="/logout"' in add.text


async def test_forms_work_with_the_session_alone(client: httpx.AsyncClient) -> None:
    fields = {"url": "https://e.example/feed.xml", "kind": "feed", "every": "1h", "name": "e"}
    before = await client.get("/add")
    assert 'type="password" name="token"' in before.text  # not signed in: asked for it
    assert 'action="/add/source"' not in before.text
    refused = await client.post("/add/source", data={**fields, "csrf": csrf_field(before.text)})
    assert refused.status_code == 403 and SIGN_IN in refused.text
    await sign_in(client)
    page = await client.get("/add")
    added = await client.post("/add/source", data={**fields, "csrf": csrf_field(page.text)})
    assert added.status_code == 200 and "Added source e (feed)." in added.text
    no_csrf = await client.post("/add/source", data={**fields, "name": "f"})
    assert no_csrf.status_code == 403 and "reload and retry" in no_csrf.text  # CSRF still on


async def test_a_wrong_token_or_a_foreign_origin_does_not_sign_in(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/login")
    csrf = csrf_field(page.text)
    wrong = await client.post("/login", data={"token": "nearly-" + TOKEN, "csrf": csrf})
    assert wrong.status_code == 403 and "wrong web token" in wrong.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    foreign = await client.post(
        "/login", data={"token": TOKEN, "csrf": csrf}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403 and "cross-origin" in foreign.text
    no_csrf = await client.post("/login", data={"token": TOKEN, "csrf": "0" * 64})
    assert no_csrf.status_code == 403 and "reload and retry" in no_csrf.text
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
async def test_signing_in_only_sends_back_to_this_site(
    client: httpx.AsyncClient, target: str
) -> None:
    done = await sign_in(client, target)
    assert done.status_code == 303 and done.headers["location"] == "/"


async def test_expired_forged_and_foreign_sessions_are_refused(client: httpx.AsyncClient) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    web = app.state.web
    page = await client.get("/add")
    csrf = csrf_field(page.text)
    post = {"url": "https://x.example/", "kind": "feed", "every": "1h", "csrf": csrf}
    now = web.clock()
    cases = {
        "expired": new_value(TOKEN, now=now - 2 * SESSION_SECONDS),
        "other token": new_value("another-token-of-16-chars", now=now),
        "tampered": re.sub(r"^\d+", str(int(now) + 10**6), new_value(TOKEN, now=now)),
        "garbage": "x.y.z",
    }
    for name, value in cases.items():
        client.cookies.set(SESSION_COOKIE, value)
        answer = await client.post("/add/source", data={**post, "name": name.replace(" ", "-")})
        assert answer.status_code == 403 and SIGN_IN in answer.text, name
    client.cookies.set(SESSION_COOKIE, new_value(TOKEN, now=now))
    ok = await client.post("/add/source", data={**post, "name": "fresh"})
    assert ok.status_code == 200, ok.text
    web.clock = lambda: now + SESSION_SECONDS + 1  # time passes: the same cookie expires
    late = await client.post("/add/source", data={**post, "name": "late"})
    assert late.status_code == 403 and SIGN_IN in late.text


async def test_signing_out_clears_the_session(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    page = await client.get("/add")
    assert 'action="/logout"' in page.text
    out = await client.post("/logout", data={"csrf": csrf_field(page.text)}, headers=SAME)
    assert out.status_code == 303
    cleared = next(c for c in out.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared
    assert SESSION_COOKIE not in client.cookies
    again = await client.get("/add")
    assert 'type="password" name="token"' in again.text
    assert client.cookies.get(CSRF_COOKIE)  # the CSRF nonce stays for the next sign-in


@pytest.mark.parametrize(
    "url", ["/login", "/sources/remove?name=nope", "/articles/1/reextractions/1", "/export.csv",
            "/api/articles/1/reextractions/1", "/?sort=versions&author=x"],
)  # fmt: skip
async def test_new_pages_keep_the_security_headers_and_no_inline_code(
    client: httpx.AsyncClient, url: str
) -> None:
    answer = await client.get(url)
    assert answer.headers["x-frame-options"] == "DENY"
    assert "script-src" not in answer.headers["content-security-policy"]
    assert "<script" not in answer.text and "style=" not in answer.text
