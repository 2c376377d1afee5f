"""Every trafilatura setting archiver uses, in one place, with the reason for each.

Archiver extracts a page many times over its life and diffs the results, so the
extraction must be *deterministic* (same bytes in, same text out, whatever was
extracted before in the same worker) and must keep chrome out of the text: a
rail or an ad that leaks in turns every re-fetch into a spurious new version.
It must above all never lose article text.

One trafilatura pass per page in fast mode, and a second pass with
trafilatura's full cascade (``fast=False``: the readability/jusText comparison)
only where it can add text: when readability reads more than twice the text, or
the text is short; the pass that kept more text wins (``page._extraction``).
Measured with ``bench/extraction.py`` on two reference sets, the
article-extraction-benchmark (181 news pages, hand-made truth) and Mozilla
Readability's 130 test pages (Readability.js's output as the reference); P / R /
F of the clean text with archiver's post-filters applied:

    configuration                             article set       readability set
    plain trafilatura.extract                 .928 .978 .953    .936 .923 .929
    chosen: fast pass + rescue pass           .959 .985 .972    .955 .896 .924
    fast pass only                            .958 .984 .971    .965 .874 .917
    full cascade only (fast=False)            .961 .984 .972    .945 .896 .920
    earlier: a second favor_precision pass
      as a witness of where the article
      starts and ends, cut to it              .971 .984 .977    .967 .868 .915

The fast pass alone lost most of the text of 6 readability pages (one kept 36
of 192 words). The full cascade alone replaced two seed articles on hashed-class
markup by readings that miss a paragraph (tests/extract/test_page.py). The
precision witness looked best on the set it was tuned on and cut real articles
elsewhere (to a third of the text on a held-out set); it is gone, with its
pass (see postfilter.py for what replaced it).
Change a value only with the same kind of evidence, on both sets.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

from trafilatura.settings import set_date_params

# Class / id tokens of page chrome that trafilatura's own discard rules
# (OVERALL_DISCARD_XPATH) do not know. Matched as whole tokens after "-" and
# "_" become spaces, so "inline-promo" and "promo__box" match but "promotion"
# or "subscriber-content" (a real paywalled body) do not. Generic names only:
# per-site rules belong to the template-learning stage. On the benchmark this
# removed chrome from 4 pages and article text from none.
CHROME_TOKENS: Final = (
    "promo",  # in-body newsletter / product promos ("inline-promo", "promo--nl")
    "signup",
    "sign up",  # "sign-up-box" once "-" is a space
    "subscribe",  # "subscribe-cta"; whole token, so "subscriber" is kept
    "cta",
    "disclaimer",  # repeated legal boilerplate; site-wide edits would version every page
    "recirc",  # recirculation rails
    "trending",
    "recommended",
)


def _token_xpath(tokens: tuple[str, ...]) -> str:
    """One XPath 1.0 expression (prune_xpath is compiled without regex namespaces)."""
    tests = []
    for attr in ("@class", "@id"):
        padded = f"concat(' ', translate({attr}, '-_', '  '), ' ')"
        tests += [f"contains({padded}, ' {token} ')" for token in tokens]
    elements = "self::div or self::section or self::aside or self::p or self::ul or self::form"
    return f".//*[({elements}) and ({' or '.join(tests)})]"


PRUNE_XPATH: Final = _token_xpath(CHROME_TOKENS)

# Keyword arguments for trafilatura.bare_extraction (trafilatura 2.x).
TRAFILATURA_OPTIONS: Final[MappingProxyType[str, Any]] = MappingProxyType(
    {
        # Title, authors, site name and description come from the same parse
        # as the text, through trafilatura's meta/JSON-LD/markup cascade.
        # Dates and language the page declares in machine-readable form are
        # read exactly by links.py and win; trafilatura's date (htmldate, the
        # default parameters: original date, extensive search) is the fallback
        # for pages that declare none. On the benchmark extensive search found
        # 2 more dates than the markup-only search; its last resort is a
        # "YYYY-01-01" guess from a copyright line, which we accept rather
        # than lose the dates.
        "with_metadata": True,
        # "Balanced" focus (see the table above): favor_precision loses body
        # text (it also discards every <header>, where some sites put the
        # lede); favor_recall keeps more chrome on 7 benchmark pages for one
        # page it cleans up. Chrome the balanced mode misses is handled by
        # PRUNE_XPATH and page.py's line filters instead. (All modes pass the
        # seed pages once PRUNE_XPATH is on; without it none removes seed
        # 000's in-body promo or seed 003's disclaimer.)
        "favor_precision": False,
        "favor_recall": False,
        # The readability/jusText comparison is not run in the main pass: it
        # also *replaces* a full extraction by a shorter one (two thirds of a
        # seed article lost on hashed-class markup). page.py runs it as a
        # second pass only when readability finds much more text or the text
        # is short, and keeps whichever pass kept more (COMPARE_OPTIONS).
        "fast": True,
        # Reader comments are not the article and change on every fetch.
        "include_comments": False,
        # Tables in news stories are content (results, polls, budgets):
        # turning them off cost 0.7 points of recall on the benchmark.
        "include_tables": True,
        # Plain text: no image captions/credits, links or markdown emphasis.
        "include_images": False,
        "include_links": False,
        "include_formatting": False,
        # trafilatura's dedup keeps a process-wide LRU of seen text, so output
        # would depend on what the worker extracted before (the second fetch of
        # an unchanged page would come back empty). Versioning needs purity.
        "deduplicate": False,
        # No language filter: archiver keeps every language it is pointed at.
        "target_language": None,
        "prune_xpath": PRUNE_XPATH,
    }
)

# The rescue pass (page.py): trafilatura's full cascade with the readability/jusText
# comparison; its metadata is not needed again.
COMPARE_OPTIONS: Final[MappingProxyType[str, Any]] = MappingProxyType(
    {**TRAFILATURA_OPTIONS, "fast": False, "with_metadata": False}
)


def markup_date_params() -> dict[str, Any]:
    """htmldate without its extensive search (``date_extraction_params``), for pages
    that declare their date: the declared date wins, so the guess only costs time."""
    params = set_date_params(extensive=False)
    params["extensive_search"] = False
    return params
