"""The diff page: changes only (with a little context) or the full text, a jump to the
first change, and never ``None`` where a field was absent."""

from __future__ import annotations

import html as markup
import re

import httpx
import pytest

from archiver.store import Store
from tests.store.factories import capture, content, html

pytestmark = pytest.mark.anyio

URL = "https://d.example/news/harbour"
EDIT = "The council voted to reopen the old ferry terminal after the floods."


def paragraphs(edit: str | None = None) -> list[str]:
    texts = [f"Paragraph {n} tells of quay {n} and the boats moored there." for n in range(1, 13)]
    if edit is not None:
        texts[5] = edit
    return texts


def _version(store: Store, text: str, minutes: int, **fields: object) -> int:
    return store.record(
        capture(URL, minutes=minutes), html(text), urls=(URL,), canonical_url=URL,
        site="d.example", content=content(text, title="Harbour report", **fields),
    ).article_id  # fmt: skip


@pytest.fixture
def harbour(store: Store) -> int:
    """An article of 12 paragraphs whose 6th changed in version 2, which also got
    an author, a date and a site name that version 1 did not have."""
    bare = {"authors": (), "published": None, "site_name": None, "language": None}
    _version(store, "\n".join(paragraphs()), 0, **bare)
    return _version(store, "\n".join(paragraphs(EDIT)), 60)


def diff_body(page: str) -> str:
    return page.split('class="diff"', 1)[1]


async def test_changes_only_by_default_with_a_jump_to_the_first_change(
    client: httpx.AsyncClient, harbour: int
) -> None:
    page = await client.get(f"/articles/{harbour}/diff")
    assert page.status_code == 200
    body = diff_body(page.text)
    old = paragraphs()
    assert "<ins>The council voted" in body and "quay 6" in body
    assert old[4] in body and old[6] in body  # one paragraph around the change
    assert old[0] not in body and old[3] not in body and old[11] not in body
    assert "… 4 unchanged paragraphs …" in body and "… 5 unchanged paragraphs …" in body
    assert '<a href="#first-change">Jump to the first change</a>' in page.text
    anchor = body.index('<span id="first-change"></span>')
    assert anchor < body.index("<del>") and anchor < body.index("<ins>")
    assert body.count('id="first-change"') == 1
    full_link = re.search(r'<a href="([^"]+)">Full text</a>', page.text)
    assert full_link is not None
    assert markup.unescape(full_link[1]) == f"/articles/{harbour}/diff?from=1&to=2&full=1"


async def test_full_text_on_request(client: httpx.AsyncClient, harbour: int) -> None:
    page = await client.get(f"/articles/{harbour}/diff", params={"full": "1"})
    assert page.status_code == 200
    body = diff_body(page.text)
    assert all(p in body for p in paragraphs(EDIT) if p != EDIT)
    assert "unchanged paragraph" not in body
    assert body.count('id="first-change"') == 1
    assert '<input type="hidden" name="full" value="1">' in page.text  # kept by the form
    back = re.search(r'<a href="([^"]+)">Changes only</a>', page.text)
    assert back is not None
    assert markup.unescape(back[1]) == f"/articles/{harbour}/diff?from=1&to=2"
    bad = await client.get(f"/articles/{harbour}/diff", params={"full": "yes"})
    assert bad.status_code == 400 and "full: not a whole number" in bad.text


async def test_no_change_says_so_without_a_jump(client: httpx.AsyncClient, harbour: int) -> None:
    page = await client.get(f"/articles/{harbour}/diff", params={"from": 2, "to": 2})
    assert page.status_code == 200
    body = diff_body(page.text)
    assert "No changes to the text." in body and "quay" not in body
    assert "first-change" not in page.text


async def test_absent_fields_are_a_dash_never_none(client: httpx.AsyncClient, harbour: int) -> None:
    page = await client.get(f"/articles/{harbour}/diff")
    table = page.text.split("Changed details", 1)[1].split("</table>", 1)[0]
    assert "<ins>Jane Doe</ins>" in table and "<ins>2024-05-01</ins>" in table
    assert table.count("<td>—</td>") >= 3  # authors, published, site name were absent
    assert "None" not in page.text
