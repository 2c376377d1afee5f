"""Extract stage: fetched bytes in, clean article text and metadata out.

The only part of archiver that imports trafilatura. ``extract_page`` is the
pure function; ``ExtractorPool`` runs it in worker processes with a time limit;
``read_links`` / ``find_links`` read a page's structural links with selectolax.
"""

from archiver.extract.links import find_links, read_links
from archiver.extract.page import extract_page
from archiver.extract.pool import ExtractorPool
from archiver.records.extracted import Extracted, PageLinks

__all__ = ["Extracted", "ExtractorPool", "PageLinks", "extract_page", "find_links", "read_links"]
