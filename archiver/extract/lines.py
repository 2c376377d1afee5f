"""Line filters on trafilatura's text: whitespace, repeats and known chrome shapes.

A line is dropped only when its shape says it is chrome wherever it appears: a
browser warning, a newsletter box and its thank-you, a reprint notice, a "Like
this story? Share it" prompt, a "Follow us on Twitter" line, a bare timestamp
or image address (metadata a page hides in its body), a standalone rail label
("DON'T MISS", "Tags", "More stories"), a photo caption that ends in its credit
("(Alex Wong/Getty Images)") or a credit line ("Photographer: ..."). Only short
lines are candidates, so a paragraph that merely mentions a browser or a
newsletter is never dropped.
A copy of the article (``drop_copies``) goes too; a paragraph repeated alone
stays.
"""

from __future__ import annotations

import re

_MAX_CHROME_LINE = 200
_CHROME_LINES = re.compile(
    r"""(?ix)
    ^(?:IE|Internet\ Explorer)\s*\d*\ is\ (?:not|no\ longer)\ supported\b
    | ^(?:your|this)\ (?:web\ )?browser\ is\ (?:not|no\ longer|out\ of\ date|outdated)\b
    | ^(?:sign\ up|subscribe|register|join)\b.{0,100}\bnewsletters?\b
    | \bdelivered\ (?:directly\ |straight\ )?to\ your\ inbox\b
    | ^thanks?\ (?:you\ )?for\ (?:signing\ up|subscribing)\W*$
    | ^keep\ an\ eye\ on\ your\ inbox\b
    | \berror\ processing\ your\ (?:subscription|request|sign[-\ ]?up)\b
    | ^this\ (?:copy|article)\ is\ for\ your\ personal,?\ non-commercial\ use\b
    | ^an\ error\ (?:has\ )?occurred\b.{0,60}\btry\ again\b
    | ^like\ (?:this|the)\ (?:story|article|post)\?
    | ^(?:click|tap)\ here\ to\ (?:subscribe|sign\ up\b|get\ the\ .{1,40}\ app\W*$)
    | \bby\ clicking\ here\W*$
    | ^\d{4}-\d{2}-\d{2}(?:[t\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$
    | ^https?://\S+\.(?:jpe?g|png|gif|webp|avif|svg)(?:\?\S*)?$
    | ^(?:follow|like)\ (?:us|[\w.'’&\ ]{1,60}?)\ on\ (?:twitter|facebook|instagram|youtube|linkedin
       |tiktok|threads|bluesky)\b.{0,80}$
    | ^(?:don'?t\ miss|tags|share\ (?:this|the)\ (?:article|story|post)|more\ stories)\W*$
    | ^(?:advertisement|sponsored(?:\ content)?|story\ continues\ below(?:\ advertisement)?
       |continue\ reading\ below|scroll\ to\ continue(?:\ with\ content)?)\W*$
    """
)
_MAX_CAPTION = 600
_CREDITS = re.compile(
    r"""(?ix)
    \((?:[^()]{0,80}[/\ ])?(?:getty\ images|ap\ photo|afp|reuters|epa(?:-efe)?|shutterstock
       |bloomberg|handout|xinhua|yonhap|kcna|anadolu|ap)\)\W*$
    | \bvia\ getty\ images\)?\W*$
    | \(\w[\w\ ]{1,30}\ out\):\s
    | ^photo\ info\W*$
    | ^(?:photographer|location\ taken|photo\ credit|image\ credit|credit):\s
    | ^(?:photo|photograph|image|picture)s?\ (?:by|©)\s
    """
)
"""Photo captions and credit lines, by their credit: "(Alex Wong/Getty Images)", "(SOUTH
KOREA OUT): A handout photo provided by", "Photographer: ...". A caption's first words
shown again before it (the same caption without its credit) go with it."""
_NO_CONTENT = re.compile(r"^[\s|:*•·_=~#+.\-–—]*$")  # table rules "|---|", bare list dashes


def clean_paragraphs(text: str) -> list[str]:
    """trafilatura's lines as paragraphs: whitespace collapsed, chrome lines dropped.

    A paragraph identical to the one before it is dropped too: responsive pages
    render the same promo or caption twice (desktop and mobile copies).
    """
    paragraphs: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if _NO_CONTENT.match(line):
            continue
        if paragraphs and paragraphs[-1] == line and not line.startswith("|"):
            continue  # (identical table rows are data, not a repeated promo)
        if len(line) <= _MAX_CHROME_LINE and _CHROME_LINES.search(line):
            continue
        paragraphs.append(line)
    return _without_captions(paragraphs)


def _caption(line: str) -> bool:
    return len(line) <= _MAX_CAPTION and bool(_CREDITS.search(line))


def _without_captions(paragraphs: list[str]) -> list[str]:
    captions = [p for p in paragraphs if _caption(p)]
    if not captions:
        return paragraphs
    return [
        p
        for p in paragraphs
        if not _caption(p) and not any(c.startswith(p.rstrip(" .")) for c in captions)
    ]


COPY_RUN = 5
"""Paragraphs in a row that, repeated in the same order, make a copy of the article."""
COPY_WORDS = 12
"""Each paragraph of a copied run has at least this many words."""
TEASER_WORDS = 6
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)$")


def drop_copies(paragraphs: list[str]) -> list[str]:
    """Without copies of the article: a run of ``COPY_RUN`` paragraphs or more (each of
    ``COPY_WORDS`` words or more) that the text already had in the same order (pages
    that carry their article two or three times, for mobile and desktop). A paragraph
    repeated alone (a refrain, a quoted line, a list) stays."""
    long = [len(p.split()) >= COPY_WORDS for p in paragraphs]
    first: dict[str, int] = {}
    drop: set[int] = set()
    i = 0
    while i < len(paragraphs):
        j = first.get(paragraphs[i]) if long[i] else None
        if j is None or j >= i:
            first.setdefault(paragraphs[i], i)
            i += 1
            continue
        run = 0
        while (
            i + run < len(paragraphs)
            and j + run < i
            and long[i + run]
            and (paragraphs[j + run] == paragraphs[i + run])
        ):
            run += 1
        if run >= COPY_RUN:
            drop.update(range(i, i + run))
            i += run
        else:
            i += 1
    return [p for k, p in enumerate(paragraphs) if k not in drop]
