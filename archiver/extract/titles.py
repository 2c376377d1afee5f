"""Titles without the site's name: "… to do so | The Week" is "… to do so".

A page's ``<title>`` (and often its ``og:title``) carries the publisher's name
after or before a separator. Kept, it would make every article of a site that
renames itself a new version, and it is not the article's title. ``clean_title``
drops a leading or trailing segment that names the site: the page's
``og:site_name`` or ``application-name``, trafilatura's site name, or a label of
the page's host ("Aktuálně.cz" on aktualne.cz). A title that is nothing but the
site's name is left as it is. The page's ``<h1>`` wins when the title (cleaned
or not) starts with it: the headline as the page shows it.

Pure: strings in, a string out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

_SEPARATOR = re.compile(r"(\s+(?:[|–—·•»«:/\\~]|-{1,2}|::)\s+)")
_NOT_ALNUM = re.compile(r"[\W_]+")
_GENERIC = frozenset({"www", "m", "amp", "news", "com", "org", "net", "co", "uk"})
MIN_LABEL = 4
"""Host labels shorter than this ("bbc") are too short to recognise a name by."""


def _key(text: str) -> str:
    """Letters and digits only, accents and case folded: "Aktuálně.cz" → "aktualnecz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _NOT_ALNUM.sub("", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _host_labels(url: str) -> list[str]:
    host = (urlsplit(url).hostname or "").casefold()
    labels = host.split(".")
    return [label for label in labels if len(label) >= MIN_LABEL and label not in _GENERIC]


def _names_site(segment: str, names: list[str], labels: list[str]) -> bool:
    key = _key(segment)
    if not key:
        return False
    if any(key == name or (len(name) >= MIN_LABEL and key.startswith(name)) for name in names):
        return True  # "The Week", "The Week UK" for site "The Week"
    return any(key == label or key == _key(label) or key.startswith(label) for label in labels)


def clean_title(
    title: str | None, url: str, site_names: Iterable[str | None], headings: Iterable[str] = ()
) -> str | None:
    """``title`` without a leading or trailing segment naming the site; the ``<h1>``
    (``headings``) when the title starts with it."""
    if not title:
        return title
    title = " ".join(title.split())
    names = [k for k in (_key(n) for n in site_names if n) if k]
    labels = _host_labels(url)
    parts = _SEPARATOR.split(title)  # text, separator, text, ...
    cleaned = title
    if len(parts) >= 3:
        texts = parts[0::2]
        if _names_site(texts[-1], names, labels):
            cleaned = "".join(parts[:-2])
        elif _names_site(texts[0], names, labels):
            cleaned = "".join(parts[2:])
    for heading in headings:
        heading = " ".join(heading.split())
        if heading and _key(heading) and _key(cleaned).startswith(_key(heading)):
            return heading if len(_key(heading)) >= len(_key(cleaned)) // 2 else cleaned
    return cleaned.strip() or title
