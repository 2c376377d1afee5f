"""Every trafilatura setting archiver uses, in one place, with the reason for each.

Archiver extracts a page many times over its life and diffs the results, so the
extraction must be *deterministic* (same bytes in, same text out, whatever was
extracted before in the same worker) and must keep chrome out of the text: a
rail or an ad that leaks in turns every re-fetch into a spurious new version.

The choices were measured on the four seed pages (tests/fixtures/seedpages) and
on the 181 pages of the Scrapinghub article-extraction-benchmark (a copy is in
/work/shared/eval), scored like that benchmark: mean token precision / recall
of the clean text (our post-filters applied) against the hand-made article body.

    configuration                       precision  recall   F1      ms/page
    chosen (below)                      0.952      0.984    0.968   ~23
    trafilatura defaults                0.944      0.983    0.963   ~22
    without PRUNE_XPATH                 0.952      0.984    0.967
    favor_precision                     0.955      0.951    0.953   (one article lost whole)
    favor_precision, fast=False         0.966      0.975    0.970   (same loss; 5 pages -5..-11% R)
    favor_recall                        0.954      0.984    0.969   (7 pages noisier, 1 cleaner)
    fast=False                          0.948      0.983    0.965   ~39
    include_tables=False                0.954      0.977    0.965

An archive must not lose article text, so recall decides ties: precision mode
is out because it drops whole paragraphs and, on one page, the whole article.
It is still run, as a second pass whose text only bounds the article
(``PRECISION_OPTIONS``, ``postfilter.trim_to_core``); the post-filters there
bring the benchmark to P 0.971 R 0.984 F1 0.978 (see postfilter.py).
Change a value only with the same kind of evidence.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

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
        # Skip the readability/jusText comparison: on the benchmark it raised
        # recall on no page at all, lost 14% of one page (a stats article's
        # tables) and took 1.7x the time. The baseline rescue and the recall
        # escalation for too-short results still run in fast mode.
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

# The second, stricter pass: its text is only a witness of where the article
# starts and ends (see postfilter.trim_to_core), never the result itself.
PRECISION_OPTIONS: Final[MappingProxyType[str, Any]] = MappingProxyType(
    {**TRAFILATURA_OPTIONS, "favor_precision": True, "fast": False, "with_metadata": False}
)
