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

from trafilatura.xml import delete_element

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


CHROME_TAGS: Final = ("div", "section", "aside", "p", "ul", "form")
"""Elements a chrome token condemns (a <span class="promo"> may be a word in a sentence)."""


def _chrome_words(value: str) -> bool:
    padded = f" {value.replace('-', ' ').replace('_', ' ')} "
    return any(f" {token} " in padded for token in CHROME_TOKENS)


def chrome_elements(tree: Any) -> list[Any]:
    """The elements of an lxml ``tree`` whose class or id holds a ``CHROME_TOKENS`` token,
    in document order.

    Once an XPath given to trafilatura as ``prune_xpath``; evaluating it cost a
    quarter of trafilatura's own time on every pass (10 ms of a 40 ms page), this
    walk over the candidate elements a fifth of that. ``tests/extract/test_options.py``
    holds the two to the same elements."""
    found = []
    for element in tree.iter(CHROME_TAGS):
        classes, ident = element.get("class"), element.get("id")
        if (classes and _chrome_words(classes)) or (ident and _chrome_words(ident)):
            found.append(element)
    return found


def prune_chrome(tree: Any) -> Any:
    """``tree`` without its ``chrome_elements`` (their tail text stays, as trafilatura's
    pruning keeps it)."""
    for element in chrome_elements(tree):
        delete_element(element)
    return tree


# Keyword arguments for trafilatura.bare_extraction (trafilatura 2.x).
TRAFILATURA_OPTIONS: Final[MappingProxyType[str, Any]] = MappingProxyType(
    {
        # Title, authors, site name and description come from the same parse
        # as the text, through trafilatura's meta/JSON-LD/markup cascade
        # (meta.py, before the tree is pruned, as bare_extraction would).
        # Dates and language the page declares in machine-readable form are
        # read exactly by links.py and win; trafilatura's date (htmldate, the
        # default parameters: original date, extensive search) is the fallback
        # for pages that declare none. On the benchmark extensive search found
        # 2 more dates than the markup-only search; its last resort is a
        # "YYYY-01-01" guess from a copyright line, which we accept rather
        # than lose the dates. Pages that declare a date skip htmldate.
        #
        # "Balanced" focus (see the table above): favor_precision loses body
        # text (it also discards every <header>, where some sites put the
        # lede); favor_recall keeps more chrome on 7 benchmark pages for one
        # page it cleans up. Chrome the balanced mode misses is handled by
        # prune_chrome and page.py's line filters instead. (All modes pass the
        # seed pages once prune_chrome is on; without it none removes seed
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
        # Chrome by class/id token (CHROME_TOKENS) is pruned by page.py before
        # trafilatura sees the tree (prune_chrome), not with prune_xpath.
        # Metadata is read by meta.py, on the tree as parsed, before that.
        "with_metadata": False,
    }
)

# The rescue pass (page.py): trafilatura's full cascade with the readability/jusText
# comparison; its metadata is not needed again.
COMPARE_OPTIONS: Final[MappingProxyType[str, Any]] = MappingProxyType(
    {**TRAFILATURA_OPTIONS, "fast": False}
)
