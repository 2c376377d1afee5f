"""Extract stage: fetched bytes in, clean article text and metadata out.

The only part of archiver that imports trafilatura. ``extract_page`` is the
pure function; ``ExtractorPool`` runs it in worker processes with a time limit;
``read_links`` / ``find_links`` read a page's structural links with selectolax.

The names load on first use: a stage that needs only a helper module
(``archiver.extract.blocks``, ``stamps``) does not pay for trafilatura's import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archiver.extract.links import find_links, read_links
    from archiver.extract.page import extract_page
    from archiver.extract.pool import ExtractorPool
    from archiver.records.extracted import Extracted, PageLinks

_HOMES = {
    "find_links": "archiver.extract.links",
    "read_links": "archiver.extract.links",
    "extract_page": "archiver.extract.page",
    "ExtractorPool": "archiver.extract.pool",
    "Extracted": "archiver.records.extracted",
    "PageLinks": "archiver.records.extracted",
}

__all__ = ["Extracted", "ExtractorPool", "PageLinks", "extract_page", "find_links", "read_links"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'archiver.extract' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
