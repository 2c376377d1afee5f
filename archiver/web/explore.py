"""Datasette-style exploring on the home page: sort links, facets, downloads of the view.

Everything here builds links from the parameters of the page being shown (its
filters, its order, its page size; never its page cursor, so a link starts at
the first page). A facet value links to the same view filtered by it, the
other filters kept, so facets combine; the chosen value links to the view
without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from archiver.records.browse import SORT_KEYS, ArticleCounts, FacetCount, Sort
from archiver.web.markup import href
from archiver.web.params import Filters, Paging, sort_query

SORT_LABELS = {
    "first_seen": "First seen",
    "published": "Published",
    "changed": "Last changed",
    "versions": "Versions",
}
FACETS = (("site", "Site"), ("author", "Author"), ("language", "Language"))


@dataclass(frozen=True, slots=True)
class SortLink:
    label: str
    link: str
    current: bool
    descending: bool  # the current order (current), or the order the link asks for


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    articles: int
    link: str  # the view filtered by this value, or (chosen) without it
    chosen: bool


@dataclass(frozen=True, slots=True)
class Facet:
    param: str
    title: str
    values: list[FacetValue]


def view_query(filters: Filters, paging: Paging) -> dict[str, str]:
    """The parameters of the view without its page cursor."""
    return {**filters.query, **paging.query}


def sort_links(filters: Filters, paging: Paging) -> list[SortLink]:
    """One link per order; the current one flips its direction."""
    links = []
    base = {**filters.query, **({"limit": str(paging.limit)} if "limit" in paging.query else {})}
    for key in SORT_KEYS:
        current = paging.sort.key == key
        wanted = Sort(key, not paging.sort.descending) if current else Sort(key)
        query = base if wanted.default else {**base, **sort_query(wanted)}
        shown = paging.sort.descending if current else wanted.descending
        links.append(SortLink(SORT_LABELS[key], href("/", query), current, shown))
    return links


def _values(
    param: str, found: list[FacetCount], filters: Filters, keep: dict[str, str]
) -> list[FacetValue]:
    chosen = filters.query.get(param)
    values = []
    for f in found:
        picked = f.value == chosen
        link = href("/", keep, **{param: None if picked else f.value})
        values.append(FacetValue(f.value, f.articles, link, picked))
    if chosen is not None and all(not v.chosen for v in values):
        values.insert(0, FacetValue(chosen, 0, href("/", keep, **{param: None}), True))
    return values


def facets(counts: ArticleCounts, filters: Filters, paging: Paging) -> list[Facet]:
    keep = view_query(filters, paging)
    found = {"site": counts.sites, "author": counts.authors, "language": counts.languages}
    return [Facet(p, title, _values(p, found[p], filters, keep)) for p, title in FACETS]
