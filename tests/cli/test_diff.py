"""``archiver diff`` for people: the changed paragraphs with a little context, in colour on
a terminal; one version is said, not printed; an absent field is a dash, never ``None``."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest

from archiver.cli.app import use_color
from tests.localsite import LocalSite

ANSI = re.compile(r"\x1b\[[0-9;]*m")
EDIT = "The council voted to reopen the old ferry terminal after the floods of last spring."


def paragraphs(edit: str | None = None) -> list[str]:
    texts = [
        f"Paragraph {n} of the harbour report tells of quay {n} and the boats moored there."
        for n in range(1, 13)
    ]
    if edit is not None:
        texts[5] = edit  # the 6th of 12
    return texts


def serve(site: LocalSite, *, edit: str | None = None, author: str | None = None) -> str:
    meta = f'<meta name="author" content="{html.escape(author)}">' if author else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(edit))
    site.set(
        "/news/harbour",
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{meta}"
        "<title>Harbour report</title></head><body><main><article><h1>Harbour report</h1>"
        f"<div class='article-body'>{body}</div></article></main></body></html>",
    )
    return site.url("/news/harbour")


def edited(cli: Any, site: LocalSite, **second: Any) -> str:
    url = serve(site)
    assert cli("add", url).code == 0
    serve(site, edit=EDIT, **second)
    row = cli("add", "--json", url).json()
    assert (row["outcome"], row["version"]) == ("updated", 2), row
    return url


def test_diff_shows_only_the_changed_paragraph_and_its_context(cli: Any, site: LocalSite) -> None:
    url = edited(cli, site)
    old, new = paragraphs(), paragraphs(EDIT)
    run = cli("diff", url)
    assert run.code == 0, run.err
    out = run.out
    assert "{+" in out and "[-" in out
    assert "reopen" in out and "quay 6" in out  # the change, both sides
    assert old[4] in out and old[6] in out  # one paragraph of context on each side
    assert old[0] not in out and old[11] not in out and old[3] not in out
    assert "... 4 unchanged paragraphs ..." in out
    assert "... 5 unchanged paragraphs ..." in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert re.search(r"version 1 \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\) -> 2 \(", out), out

    wide = cli("diff", url, "--context", "3").out
    assert old[2] in wide and old[8] in wide and old[1] not in wide
    assert "... 2 unchanged paragraphs ..." in wide
    bare = cli("diff", url, "--context", "0").out
    assert old[4] not in bare and old[6] not in bare and "reopen" in bare

    full = cli("diff", url, "--full").out
    assert all(p in full for p in new if p != EDIT)
    assert "unchanged paragraph" not in full

    both = cli("diff", url, "--full", "--context", "2")
    assert both.code == 2 and "--context N or --full" in both.one_error_line()
    assert cli("diff", url, "--context", "-1").code == 2


def test_diff_colour_always_never_and_auto(
    cli: Any, site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = edited(cli, site)
    coloured = cli("diff", url, "--color", "always").out
    assert "\x1b[32m{+" in coloured and "\x1b[31m[-" in coloured and "\x1b[2m..." in coloured
    for line in coloured.splitlines():  # colour never runs over a line end
        assert len(re.findall(r"\x1b\[(?:2|3[12])m", line)) == line.count("\x1b[0m"), line
    plain = cli("diff", url, "--color", "never").out
    assert "\x1b[" not in plain and ANSI.sub("", coloured) == plain
    bad = cli("diff", url, "--color", "sometimes")
    assert bad.code == 2 and "--color" in bad.one_error_line()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("never") is False and use_color("always") is True
    assert use_color("auto") is False  # pytest's captured stdout is no terminal
    monkeypatch.setattr("sys.stdout", Terminal())
    assert use_color("auto") is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto") is False and use_color("always") is True
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: empty is unset
    assert use_color("auto") is True


def test_diff_of_an_article_with_one_version_says_so(cli: Any, site: LocalSite) -> None:
    url = serve(site)
    assert cli("add", url).code == 0
    for args in ((), ("--full",), ("--from", "1", "--to", "1")):
        run = cli("diff", url, *args)
        assert run.code == 0, run.err
        assert "only one version" in run.out
        assert "quay" not in run.out and "Harbour" not in run.out  # no text printed
        assert len(run.out.strip().splitlines()) == 1
    doc = cli("diff", "--json", url).json()  # --json as before: version 1 against itself
    assert (doc["from"], doc["to"], doc["words_added"], doc["words_removed"]) == (1, 1, 0, 0)
    assert cli("diff", url, "--to", "2").code == 1  # no version 2: still an error


def test_an_added_field_is_a_dash_before_never_none(cli: Any, site: LocalSite) -> None:
    url = edited(cli, site, author="Jane Doe")
    out = cli("diff", url).out
    assert "None" not in out
    assert 'authors: — -> "Jane Doe"' in out
    doc = cli("diff", "--json", url).json()  # JSON keeps null for an absent value
    assert {"field": "authors", "old": None, "new": "Jane Doe"} in doc["fields"]


def test_same_version_on_both_sides_prints_no_text(cli: Any, site: LocalSite) -> None:
    url = edited(cli, site)
    run = cli("diff", url, "--from", "2", "--to", "2")
    assert run.code == 0 and "text: no changes" in run.out
    assert "quay" not in run.out
    assert "quay 1 " in cli("diff", url, "--from", "2", "--to", "2", "--full").out
