"""A site that renames itself makes no new version of its articles."""

from __future__ import annotations

import html as html_lib
from typing import Any

from tests.fixtures.boxes import PARAGRAPHS
from tests.localsite import LocalSite

TITLE = "Leaders meet again at the border"


def page(site_name: str) -> str:
    """An article whose every declared title carries the site's name (no <h1>)."""
    body = "".join(f"<p>{html_lib.escape(p)}</p>" for p in PARAGRAPHS)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{TITLE} | {site_name}</title>"
        f"<meta property='og:title' content='{TITLE} | {site_name}'>"
        f"<meta property='og:site_name' content='{site_name}'></head>"
        f"<body><main><article><div class='article-body'>{body}</div></article></main>"
        "</body></html>"
    )


def test_a_renamed_site_makes_no_version(cli: Any, site: LocalSite) -> None:
    site.set("/news/meet", page("The Daily"))
    url = site.url("/news/meet")
    row = cli("add", "--json", url).json()
    assert row["outcome"] == "new"
    assert cli("show", "--json", url).json()["title"] == TITLE
    site.set("/news/meet", page("The Daily Ledger"))  # the site renames itself
    row = cli("add", "--json", url).json()
    assert (row["outcome"], row["version"]) == ("unchanged", 1)
    assert cli("show", "--json", url).json()["title"] == TITLE
