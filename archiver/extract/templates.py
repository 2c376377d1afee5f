"""Site templates: the text blocks a site repeats on its pages are chrome, not article.

Pages of one site share a template: newsletter promos, browser and cookie
banners, "MORE STORIES" rails, disclaimers, footers. On pages with semantic
markup trafilatura drops most of it; on pages built from anonymous ``<div>``s
with hashed class names (``class="css-1a2b3c"``) it keeps much of it, because
nothing in the markup says what is chrome. What does say it is recurrence: a
block that appears on many different articles of a host is the host's, not the
article's.

**Blocks.** The unit is one of trafilatura's output segments (a line of its
text output: one paragraph, heading, list item or text-bearing ``<div>``),
after archiver's own line filters (``lines.clean_paragraphs``): exactly the
paragraphs the clean text is made of. Segments were chosen over DOM blocks
read with selectolax because a learned block must match, one to one, a unit
that can be removed from the stored text; DOM blocks nest and split text
differently from trafilatura's output, and blocks trafilatura already dropped
never need learning. A page teaches all the segments trafilatura kept
(``Extracted.candidates``), also those archiver's post-filters then trimmed,
so a promo trimmed on most pages is still counted on every page carrying it.
Each block has a fingerprint (``blocks.fingerprint``): a hash of its
normalized text in which digits, month and weekday names and relative times
("2 days ago", "Oct 10, 2025") are masked, so a rail whose stamps tick or a
crossword teaser whose date changes keeps one fingerprint.

**Learning** (the store, ``archiver.store.templates``) counts each fingerprint
once per distinct article (canonical URL) of a host, and remembers the host's
article count when the fingerprint was first seen, so a block's *share* is
measured over the articles archived since it appeared (a redesign's new promo
reaches a full share at once instead of being diluted by years of old pages).
A page that repeats most of the long paragraphs of articles already learned is
a copy (syndication, print view, same story at two URLs) and teaches nothing
(``is_near_duplicate``): otherwise a story archived twice would teach that its
own body is template.

**Removal** (``template_indices``), block by block, with the counts including
the page itself:

* *strong* blocks — seen on at least ``min_pages`` articles and on at least
  ``min_share`` of the articles since first seen — are template;
* *recurring* blocks (seen on another article too) that touch strong ones
  form a template *region* — a rail's rotating headlines between its heading
  and its "2 days ago" stamps, a promo's rotating strap inside its box — and
  are template too, as are the weaker rest of a region;
* a whole-link line (not a sentence) seen on ``min_pages`` articles is template
  wherever it sits and whatever its share: a rotating ad or promo link between
  two paragraphs;
* short non-sentences squeezed between two template blocks (at most
  ``SQUEEZED_RUN`` of them, one a link) are template: a "latest stories"
  rail shows new headlines between its learned stamps;
* guards for real article text that articles happen to share (a quote, a
  statement, a stock paragraph about a company): a *prose* block (a sentence:
  several words and final punctuation) sitting between two blocks unique to
  this article is never template; a prose block next to unique article text
  on one side needs twice the share; quoted speech (four words or more in
  double quotes) goes only when on ``QUOTED_SHARE`` of the articles; a region
  is never extended across unique blocks; and if removal would leave no
  paragraph of a sentence's length, nothing is removed (the "template" is
  then more likely a set of near-copies).

The first block is not protected as such: on hashed-class pages it is
usually the browser banner or the navigation, exactly what must go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archiver.extract.blocks import MIN_PROSE_WORDS, has_quoted_speech, is_prose, words
from archiver.records.learning import TemplateCounts

LONG_WORDS = 20
"""Blocks at least this long are the ones compared to detect near-duplicate pages."""
DUPLICATE_SHARE = 0.5
"""A page whose long blocks were seen on other articles at least this often is a copy."""
QUOTED_SHARE = 0.8
"""Quoted speech is template only on (nearly) every article of a host."""
SQUEEZED_RUN = 3
SQUEEZED_WORDS = 20
"""At most this many blocks of at most this many words, between two template blocks,
are taken for new rail items."""


@dataclass(frozen=True, slots=True)
class TemplateRules:
    """Thresholds (``extract.template_min_pages`` / ``template_min_share`` in the config)."""

    min_pages: int = 3
    min_share: float = 0.3
    enabled: bool = True


def is_near_duplicate(blocks: Sequence[str], prints: Sequence[str], known: TemplateCounts) -> bool:
    """True when most long blocks of the page already appeared on other articles."""
    long_prints = [p for b, p in zip(blocks, prints, strict=True) if words(b) >= LONG_WORDS]
    if len(long_prints) < 2:
        return False
    shared = sum(1 for p in long_prints if known.others(p) > 0)
    return shared >= DUPLICATE_SHARE * len(long_prints)


def template_indices(
    blocks: Sequence[str],
    prints: Sequence[str],
    known: TemplateCounts,
    rules: TemplateRules,
    linked: Sequence[bool] = (),
) -> set[int]:
    """Indices of the page's template blocks (see the module docstring); the rest is article."""
    n = len(blocks)
    if not rules.enabled or n < 2:
        return set()
    seen = [known.seen(p) for p in prints]
    unique = [count == 1 for count in seen]
    prose = [is_prose(b) for b in blocks]
    quoted = [has_quoted_speech(b) for b in blocks]

    def edge_unique(i: int) -> tuple[bool, bool]:
        left = i > 0 and unique[i - 1]
        right = i + 1 < n and unique[i + 1]
        return left, right

    def protected(i: int, share: float) -> bool:
        if quoted[i] and share < QUOTED_SHARE:
            return True  # quoted speech: articles share statements; chrome rarely quotes
        if not prose[i]:
            return False
        left, right = edge_unique(i)
        if left and right:
            return True  # a sentence inside article text: a shared quote, never chrome
        return (left or right) and share < min(1.0, 2 * rules.min_share)

    strong = [
        seen[i] >= rules.min_pages and known.share(prints[i]) >= rules.min_share for i in range(n)
    ]
    removed: set[int] = set()
    start = 0
    while start < n:  # maximal runs of recurring blocks
        if unique[start]:
            start += 1
            continue
        end = start
        while end < n and not unique[end]:
            end += 1
        run = range(start, end)
        anchors = [i for i in run if strong[i] and not protected(i, known.share(prints[i]))]
        if anchors:
            removed.update(i for i in run if i in anchors or not protected(i, 0.0))
        start = end
    removed.update(_squeezed(blocks, removed, prose, quoted, linked))
    # A link repeated on other articles (an ad, a promo, a related link) is the
    # site's wherever it sits, whatever its share (ads rotate); a line of article
    # text is rarely a whole link.
    removed.update(
        i
        for i in range(min(n, len(linked)))
        if linked[i] and seen[i] >= rules.min_pages and not prose[i] and not quoted[i]
    )
    if not any(words(blocks[i]) >= MIN_PROSE_WORDS for i in range(n) if i not in removed):
        return set()  # removal would leave no article: trust none of it
    return removed


def _squeezed(
    blocks: Sequence[str],
    removed: set[int],
    prose: list[bool],
    quoted: list[bool],
    linked: Sequence[bool],
) -> set[int]:
    """Short runs of short non-sentences squeezed between two template blocks, one of them
    a link: the new items of a rail ("latest stories" show headlines never seen before).
    Requiring a link keeps out a short first paragraph between the byline and a promo."""
    found: set[int] = set()
    i = 1
    while i < len(blocks):
        if i in removed or i - 1 not in removed:
            i += 1
            continue
        j = i
        while (
            j < len(blocks)
            and j not in removed
            and j - i < SQUEEZED_RUN
            and not prose[j]
            and not quoted[j]
            and words(blocks[j]) <= SQUEEZED_WORDS
        ):
            j += 1
        if j in removed and any(k < len(linked) and linked[k] for k in range(i, j)):
            found.update(range(i, j))
        i = max(j, i + 1)
    return found


def without(blocks: Sequence[str], removed: set[int]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The blocks not in ``removed`` (the host's template and volatile blocks), and the
    kept blocks that touched a removed one (the edges, where template churn shows)."""
    kept = tuple(b for i, b in enumerate(blocks) if i not in removed)
    edges = frozenset(
        b
        for i, b in enumerate(blocks)
        if i not in removed and (i - 1 in removed or i + 1 in removed)
    )
    return kept, edges


def churn_only(
    changed: Sequence[str], prints: Sequence[str], known: TemplateCounts, edges: frozenset[str]
) -> bool:
    """True when every block that differs between two captures of one article is chrome
    churn: not a sentence, and either repeated on other articles of the host or sitting
    right next to the host's template (a rail item rotated in or out, another ad).

    An edit changes or adds a sentence, or a line inside the article text.
    """
    return bool(changed) and all(
        not is_prose(b) and not has_quoted_speech(b) and (known.others(p) >= 1 or b in edges)
        for b, p in zip(changed, prints, strict=True)
    )
