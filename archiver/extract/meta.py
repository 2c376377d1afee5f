"""trafilatura's metadata cascade, limited to the fields archiver keeps.

``trafilatura.bare_extraction(with_metadata=True)`` runs ``extract_metadata``,
which also reads categories, tags and the license (a quarter of its time, on
every page) and always runs htmldate, even when the page declares its date in
its markup (``links.read_head_meta``), which wins anyway. ``page_metadata`` is
the same cascade, step for step and on the same tree, for the title, authors,
site name, description and, only where it is needed, the date.
``tests/extract/test_meta.py`` holds it to ``extract_metadata`` field by field.
"""

from __future__ import annotations

import contextlib

from htmldate import find_date
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params


def page_metadata(tree: HtmlElement, url: str, *, want_date: bool) -> Document:
    """Title, author, site name, description (and the date when ``want_date``) of ``tree``,
    as ``trafilatura.metadata.extract_metadata(tree, url)`` reads them (htmldate with its
    default, extensive search: what ``bare_extraction``'s fast pass asks for).

    The tree is not changed (htmldate works on a copy), so the extraction that follows
    sees the same tree as it would inside ``bare_extraction``."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    # trafilatura's JSON-LD reader fails on some hostile pages; extract_metadata goes on too
    with contextlib.suppress(Exception):
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if want_date:
        config = set_date_params(True)
        config["url"] = metadata.url
        metadata.date = find_date(tree, **config)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if (
            metadata.sitename
            and "." not in metadata.sitename
            and not metadata.sitename[0].isupper()
        ):
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata
