"""A page on one host must never become a version of another site's article.

Two real local sites: 127.0.0.1 (the victim's publisher) and 127.0.0.2 (the
forger), each an IP address and so each its own site.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.localsite import LocalSite

VICTIM = (
    "The council approved the new harbour budget on Tuesday after a long debate.",
    "Fishing crews welcomed the decision and said repairs could start in spring.",
)
FORGED = (
    "The council secretly cancelled the harbour budget, officials now admit.",
    "This text was written by someone who does not publish the victim's paper.",
)


def page(title: str, paragraphs: tuple[str, ...], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@pytest.fixture
def forger() -> Iterator[LocalSite]:
    with LocalSite("127.0.0.2") as s:
        yield s


def _show(cli: Any, url: str) -> dict[str, Any]:
    shown = cli("show", "--json", url)
    assert shown.code == 0, shown.err
    result: dict[str, Any] = shown.json()
    return result


@pytest.mark.parametrize("claim", ["canonical", "og:url", "amphtml"])
def test_a_declared_canonical_cannot_take_over_another_sites_article(
    cli: Any, site: LocalSite, forger: LocalSite, claim: str
) -> None:
    victim = site.url("/a/victim")
    site.set("/a/victim", page("Harbour budget approved", VICTIM))
    head = {
        "canonical": f"<link rel='canonical' href='{victim}'>",
        "og:url": f"<meta property='og:url' content='{victim}'>",
        "amphtml": f"<link rel='canonical' href='{victim}'><script async "
        "src='https://cdn.ampproject.org/v0.js'></script>",
    }[claim]
    html = page("Harbour budget approved", FORGED, head)
    if claim == "amphtml":
        html = html.replace("<html lang='en'>", "<html amp lang='en'>")
    forger.set("/fake", html)

    first = cli("add", "--json", victim)
    assert first.code == 0 and first.json()["outcome"] == "new", first.out
    victim_hits = len(site.hits_for("/a/victim"))
    forged = cli("add", "--json", forger.url("/fake"))

    assert forged.code == 0, forged.err
    row = forged.json()
    assert row["outcome"] == "new" and row["article_id"] != first.json()["article_id"], row
    shown = _show(cli, victim)
    assert shown["version"] == 1 and shown["versions"] == 1, shown
    assert VICTIM[0] in shown["text"] and FORGED[0] not in shown["text"]
    assert forger.url("/fake") not in shown["aliases"]
    assert _show(cli, forger.url("/fake"))["url"] == forger.url("/fake")
    assert len(site.hits_for("/a/victim")) == victim_hits  # an AMP claim fetched nothing


def test_a_redirect_is_evidence_but_gives_no_lasting_claim(
    cli: Any, site: LocalSite, forger: LocalSite
) -> None:
    victim = site.url("/a/victim")
    site.set("/a/victim", page("Harbour budget approved", VICTIM))
    forger.redirect("/short", victim)

    via = cli("add", "--json", forger.url("/short"))
    assert via.code == 0 and via.json()["outcome"] == "new", via.out
    assert forger.url("/short") in _show(cli, victim)["aliases"]  # a redirect is evidence

    # The same URL now answers with a page of its own: a new article, not version 2.
    forger.set("/short", page("Harbour budget approved", FORGED))
    again = cli("add", "--json", forger.url("/short"))

    assert again.code == 0, again.err
    assert again.json()["outcome"] == "new", again.out
    shown = _show(cli, victim)
    assert shown["versions"] == 1 and FORGED[0] not in shown["text"], shown
    assert forger.url("/short") not in shown["aliases"]
    assert FORGED[0] in _show(cli, forger.url("/short"))["text"]


def test_same_site_canonical_still_folds_aliases(cli: Any, site: LocalSite) -> None:
    canonical = site.url("/a/story")
    site.set("/a/story", page("Harbour budget approved", VICTIM))
    site.set(
        "/a/story.amp",
        page("Harbour budget approved", VICTIM, f"<link rel='canonical' href='{canonical}'>"),
    )
    first = cli("add", "--json", canonical).json()
    second = cli("add", "--json", site.url("/a/story.amp")).json()
    assert second["article_id"] == first["article_id"], second
    assert second["outcome"] in ("unchanged", "duplicate"), second
