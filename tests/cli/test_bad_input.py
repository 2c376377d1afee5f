"""Bad input: one clear line on stderr, a non-zero exit code, nothing half-written."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from archiver.config import load_settings
from archiver.store import Store
from tests.localsite import LocalSite


def _stored() -> dict[str, int]:
    with Store(load_settings().db_url) as store:
        counts = store.counts()
    return {k: counts[k] for k in ("articles", "versions", "bodies")}


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("archiver: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("not a url", "no scheme"),  # a space is escaped like browsers do; no scheme is not
        ("https://example.com/a\x01b", "control characters"),
        ("example.com/story", "no scheme"),
        ("file:///etc/passwd", "unsupported scheme 'file:'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript:'"),
        ("ftp://example.com/a", "unsupported scheme 'ftp:'"),
    ],
)
def test_unusable_urls_exit_2(cli: Any, url: str, needle: str) -> None:
    run = cli("add", url)
    assert run.code == 2
    assert needle in _one_error_line(run.err)
    assert _stored() == {"articles": 0, "versions": 0, "bodies": 0}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_host(cli: Any) -> None:
    run = cli("add", f"http://127.0.0.1:{_closed_port()}/story")
    assert run.code == 1
    assert "refused" in _one_error_line(run.err)
    assert _stored() == {"articles": 0, "versions": 0, "bodies": 0}


def test_unresolvable_host(cli: Any) -> None:
    run = cli("add", "http://no-such-host.invalid/story")
    assert run.code == 1
    assert "resolve" in _one_error_line(run.err)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "needle"),
    [
        (b"%PDF-1.4 binary", "application/pdf", 200, "not an HTML page (application/pdf)"),
        (b'{"a": 1}', "application/json", 200, "not an HTML page (application/json)"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "text/html", 200,
         "no article text"),
        (b"", "text/html", 200, "no article text"),
        (b"gone", "text/html", 404, "HTTP 404"),
        (b"oops", "text/html", 503, "HTTP 503"),
    ],
)  # fmt: skip
def test_unusable_responses(
    cli: Any, site: LocalSite, body: bytes, content_type: str, status: int, needle: str
) -> None:
    site.set("/x", body, content_type=content_type, status=status)
    run = cli("add", "--json", site.url("/x"))
    assert run.code == 1
    assert needle in _one_error_line(run.err)
    row = run.json()
    assert row["outcome"] == "error" and needle in row["error"] and row["article_id"] is None
    assert _stored() == {"articles": 0, "versions": 0, "bodies": 0}


def test_private_networks_blocked_by_default(
    cli: Any, site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARCHIVER_ALLOW_PRIVATE_NETWORKS")
    site.set("/p", "<html><body><article><p>" + "Secret intranet text. " * 30 + "</p></article>")
    run = cli("add", site.url("/p"))
    assert run.code == 1
    assert "ARCHIVER_ALLOW_PRIVATE_NETWORKS" in _one_error_line(run.err)
    assert site.hits_for("/p") == []


def test_unknown_article_and_version(cli: Any) -> None:
    Store(load_settings().db_url).close()  # an empty archive: without one, "no archive at"
    run = cli("show", "42")
    assert run.code == 1 and "no archived article" in _one_error_line(run.err)
    run = cli("show", "https://example.com/never-added")
    assert run.code == 1 and "no archived article" in _one_error_line(run.err)
    run = cli("history", "javascript:alert(1)")
    assert run.code == 2 and "not an article id or URL" in _one_error_line(run.err)


def test_usage_errors_exit_2(cli: Any) -> None:
    for args in (("add",), ("show",), ("list", "--limit", "zero"), ("list", "--since", "yesterday"),
                 ("show", "1", "--format", "pdf"), ("search", "  "), ("nonsense",)):  # fmt: skip
        run = cli(*args)
        assert run.code == 2, args
        _one_error_line(run.err)


def test_config_errors_name_the_file_and_key(
    cli: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch]\nconcurency = 3\nmax_redirects = 'many'\n")
    monkeypatch.setenv("ARCHIVER_CONFIG", str(bad))
    run = cli("list")
    line = _one_error_line(run.err)
    assert run.code == 1
    assert str(bad) in line and "fetch.concurency" in line and "fetch.max_redirects" in line
    broken = tmp_path / "broken.toml"
    broken.write_text("home = [unclosed")
    monkeypatch.setenv("ARCHIVER_CONFIG", str(broken))
    assert "invalid TOML" in _one_error_line(cli("list").err)
    monkeypatch.setenv("ARCHIVER_CONFIG", str(tmp_path / "missing.toml"))
    assert "not found" in _one_error_line(cli("list").err)
