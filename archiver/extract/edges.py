"""Chrome at the edges of the text, recognised by its shape: menus and teaser rails.

Without a second, stricter extraction to bound the article, what trafilatura's
balanced mode keeps before the article starts or after it ends is cut only on
positive evidence that it is chrome (issue: never cut the article to a witness):

* **menus**: before the first prose paragraph and after the last, a stretch
  that is mostly short labels (at most ``MENU_WORDS`` words, no sentence, not
  mostly figures, no "key: value"): section lists, footer links, committee
  acronyms. Its labels go, and the counts between them ("(170)"). A list
  inside the article (between prose paragraphs) is never touched.
* **teaser rails**: a run of at least ``RAIL_RUN`` list items at the end of the
  text, each opening with the text of a link of three words or more (a headline)
  followed by its teaser: "- Pochettino fired by Tottenham Pochettino took the
  club to the Champions League final in June".

Each rule leaves the text alone if it would take every prose paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from archiver.extract.blocks import is_prose, spoken_words, words

MENU_RUN = 4
"""Short labels in a row that make a menu."""
MENU_WORDS = 4
"""A menu label has at most this many words."""
MENU_SHARE = 0.8
"""Labels make a menu of the stretch before (or after) the prose when this share of it."""
DIGIT_SHARE = 0.3
"""A label is at most this much digits ("Photos of 2005" is one, "02-751-1500" is not)."""
RAIL_RUN = 3
"""Teaser items in a row that make a rail."""
HEADLINE_WORDS = 3
"""A teaser opens with a link of at least this many words."""


_COUNT = re.compile(r"^\(?\d[\d.,]*\)?$")
"""A menu entry's count ("(170)" after "January" in an archive list)."""


def _label(line: str) -> bool:
    """A menu label: a few words, no sentence, not mostly figures (a phone number, a date
    and a table row are data) and no "key: value" (a price list)."""
    return (
        spoken_words(line) <= MENU_WORDS
        and not is_prose(line)
        and not line.startswith("|")
        and ":" not in line
        and sum(ch.isdigit() for ch in line) <= DIGIT_SHARE * len(line)
    )


def _keeps_prose(paragraphs: Sequence[str], lo: int, hi: int) -> bool:
    return any(is_prose(p) for p in paragraphs[lo:hi])


def trim_menus(paragraphs: Sequence[str]) -> list[str]:
    """Without the menu labels before the first and after the last prose paragraph, where
    those stretches are menus: ``MENU_RUN`` labels or more, ``MENU_SHARE`` of their lines.
    What else sits there (a byline, a date, a longer menu entry) stays."""
    prose = [i for i, p in enumerate(paragraphs) if is_prose(p)]
    if not prose:
        return list(paragraphs)
    drop: set[int] = set()
    for lo, hi in ((0, prose[0]), (prose[-1] + 1, len(paragraphs))):
        labels = [i for i in range(lo, hi) if _label(paragraphs[i])]
        counts = [i for i in range(lo, hi) if _COUNT.match(paragraphs[i])]
        if len(labels) >= MENU_RUN and len(labels) >= MENU_SHARE * (hi - lo - len(counts)):
            drop.update(labels + counts)
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _teaser(line: str, links: Sequence[str]) -> bool:
    """A list item that opens with a headline link and goes on with other words."""
    if not line.startswith("- "):
        return False
    item = line[2:]
    return any(
        item.startswith(link) and words(link) >= HEADLINE_WORDS and len(item) > len(link)
        for link in links
    )


def trim_teaser_rail(paragraphs: Sequence[str], links: Sequence[str]) -> list[str]:
    """Without a rail of headline-and-teaser items at the end of the text (``links``: the
    page's link texts)."""
    end = len(paragraphs)
    while end > 0 and _teaser(paragraphs[end - 1], links):
        end -= 1
    if len(paragraphs) - end >= RAIL_RUN and _keeps_prose(paragraphs, 0, end):
        return list(paragraphs[:end])
    return list(paragraphs)
