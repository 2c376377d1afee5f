"""Damaged sitemaps give what they can; robots.txt spellings; well-known sitemap paths."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.errors import DiscoverError
from archiver.sources import parse_sitemap, robots_sitemap_lines
from tests.localsite import LocalSite

BASE = "https://ex.com/sitemap.xml"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def entries(n: int) -> bytes:
    return b"".join(b"<url><loc>https://ex.com/story-%d</loc></url>\n" % i for i in range(n))


@pytest.mark.parametrize(
    ("body", "complete"),
    [
        (HEAD + entries(50), 50),  # no </urlset>
        (HEAD + entries(49) + b"<url><loc>https://ex.com/story-49</lo", 49),  # cut mid-<url>
        (HEAD + entries(2) + b"<url><lastmod>2025", 2),  # premature end
        (HEAD + entries(3) + b"</urlset>\n<garbage", 3),  # junk after the end
    ],
)
def test_a_truncated_sitemap_yields_every_complete_entry(body: bytes, complete: int) -> None:
    found = parse_sitemap(body, BASE)
    assert found.articles == [f"https://ex.com/story-{i}" for i in range(complete)]
    assert found.damage and "broken sitemap" in found.damage[0]


def test_a_truncated_index_yields_its_complete_children() -> None:
    body = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://ex.com/a.xml</loc></sitemap><sitemap><loc>https://ex.com/b"
    )
    found = parse_sitemap(body, BASE)
    assert (found.sitemaps, found.articles) == (["https://ex.com/a.xml"], [])


def test_broken_xml_with_nothing_complete_is_still_an_error() -> None:
    with pytest.raises(DiscoverError, match="not a well-formed XML sitemap"):
        parse_sitemap(HEAD + b"<url><loc>https://ex.com/a", BASE)


def test_entities_are_still_refused_in_a_truncated_sitemap() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + HEAD[22:] + entries(2)
    with pytest.raises(DiscoverError, match="entit"):
        parse_sitemap(body, BASE)


def test_robots_txt_spellings_of_sitemap() -> None:
    robots = "User-agent: *\nSite-map: /a.xml\nsitemap:https://ex.com/b.xml\nSite map: /c.xml\n"
    assert robots_sitemap_lines(robots, "https://ex.com/robots.txt") == [
        "https://ex.com/a.xml",
        "https://ex.com/b.xml",
        "https://ex.com/c.xml",
    ]


def _story(n: int) -> str:
    return (
        f"<html><head><title>Story {n}</title></head><body><article>"
        + "".join(
            f"<p>Paragraph {k} of story {n} tells the reader about the harbour plan vote.</p>"
            for k in range(4)
        )
        + "</article></body></html>"
    )


def test_well_known_sitemaps_are_probed_when_robots_names_none(cli: Any, site: LocalSite) -> None:
    site.set("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    urls = "".join(f"<url><loc>{site.url(f'/news/{n}')}</loc></url>" for n in range(3))
    site.set("/sitemap.xml", HEAD.decode() + urls, content_type="application/xml")  # cut off
    for n in range(3):
        site.set(f"/news/{n}", _story(n))
    cli("source", "add", site.url("/robots.txt"), "--kind", "sitemap", "--every", "1h",
        "--name", "s")  # fmt: skip
    run = cli("source", "run", "--json", "s")
    assert run.code == 0
    assert "broken sitemap, 3 complete entries" in run.json()["warnings"][0]
    assert len(cli("list", "--json").json()) == 3
    (source,) = cli("status", "--json").json()["sources"]
    assert "broken sitemap, 3 complete entries" in source["last_error"]
    assert len(site.hits_for("/sitemap_index.xml")) == 1  # each well-known path asked once
