"""Site-template learning on whole fixture sites, in hashed-class and semantic markup.

Pages go through the real extractor and the pipeline's ``clean_blocks`` over
a real (SQLite) store: the counts come from the store, the removal from
``archiver.extract.templates``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from archiver.archive import Services
from archiver.archive.chrome import clean_blocks
from archiver.extract import extract_page
from archiver.extract.blocks import fingerprint, is_prose
from archiver.extract.templates import TemplateRules, churn_only, template_indices
from archiver.records.learning import BlockStat, TemplateCounts
from archiver.store import Store
from tests.fixtures.seedpages import SeedPage, seed_page
from tests.fixtures.sites import WEEKLY, Markup, seed_articles, site_page

SITE = "news.example.com"
QUOTE = (
    '"We will not stop until every family has a safe place to sleep tonight," the mayor '
    "said at the press conference."
)


def url(k: int) -> str:
    return f"https://{SITE}/2025/story-{k}"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with Store(f"sqlite:///{tmp_path / 'templates.db'}") as store:
        yield Services(fetcher=None, extractor=None, store=store)  # type: ignore[arg-type]


def clean(services: Services, page: SeedPage, address: str, *, learn: bool = True) -> str:
    extracted = extract_page(page.html.encode(), address)
    cleaned = asyncio.run(clean_blocks(services, extracted, SITE, address, learn=learn))
    return "\n\n".join(cleaned.blocks)


def archive_site(services: Services, n: int, markup: Markup, **kwargs: Any) -> list[str]:
    """Archive articles 0..n-1 of the fixture site; their clean texts."""
    articles = seed_articles()
    return [
        clean(services, site_page(WEEKLY, articles[k], k, url=url(k), markup=markup,
                                  variant=k, **kwargs), url(k))
        for k in range(n)
    ]  # fmt: skip


def squash(text: str) -> str:
    return " ".join(text.split())


def left(page: SeedPage, text: str) -> list[str]:
    return [j for j in page.junk if j in text]


def lost(page: SeedPage, text: str) -> list[str]:
    return [p for p in page.paragraphs if squash(p) not in squash(text)]


# -- fingerprints ------------------------------------------------------------------------


def test_fingerprints_mask_what_ticks_on_every_fetch() -> None:
    same = [
        ("2 days ago", "17 days ago"),
        ("3 hours ago", "an hour ago"),
        ("Oct 10, 2025", "Nov 3, 2024"),
        ("Crossword: October 26, 2025", "Crossword: October 27, 2025"),
        ("UPDATED AUG 26, 2025", "Updated  Sep 1, 2025"),
        ("Sign up for our  newsletter", "SIGN UP FOR OUR NEWSLETTER"),
    ]
    for a, b in same:
        assert fingerprint(a) == fingerprint(b), (a, b)
    assert fingerprint("Crossword: October 26, 2025") != fingerprint("Sudoku: October 26, 2025")
    assert fingerprint(QUOTE) != fingerprint(QUOTE.replace("mayor", "governor"))


def test_prose_is_a_sentence() -> None:
    assert is_prose(QUOTE)
    assert is_prose("The council will vote on the plan next week.")
    assert not is_prose("Crossword: October 26, 2025")
    assert not is_prose("Sponsored: Northwind Mattress — sleep better tonight")
    assert not is_prose("Short one.")


# -- learning and removal -----------------------------------------------------------------


@pytest.mark.parametrize("markup", ["hashed", "semantic"])
def test_template_phrases_disappear_once_learned(services: Services, markup: Markup) -> None:
    articles = seed_articles()
    target = site_page(WEEKLY, articles[6], 6, url=url(6), markup=markup, variant=6)
    if markup == "hashed":  # trafilatura alone keeps most of the template here
        assert len(left(target, extract_page(target.html.encode(), url(6)).text)) >= 4
    archive_site(services, 6, markup)
    text = clean(services, target, url(6))
    assert left(target, text) == []
    assert lost(target, text) == []


def test_first_pages_keep_the_template_and_nothing_is_lost(services: Services) -> None:
    texts = archive_site(services, 2, "hashed")
    first = site_page(WEEKLY, seed_articles()[0], 0, url=url(0))
    assert WEEKLY.straps[0] in texts[0]  # one page teaches nothing yet
    assert lost(first, texts[0]) == []


def test_a_quote_shared_by_three_of_ten_articles_survives(services: Services) -> None:
    articles = seed_articles()
    texts = []
    for k in range(10):
        # the same quote in articles 2, 5 and 9: in the middle, after the lede, and last
        insert = {2: [(1, QUOTE)], 5: [(2, QUOTE)], 9: [(4, QUOTE)]}.get(k, [])
        page = site_page(WEEKLY, articles[k], k, url=url(k), variant=k, insert=insert)
        texts.append(clean(services, page, url(k)))
        assert lost(page, texts[-1]) == [], k
    assert [k for k, t in enumerate(texts) if QUOTE in t] == [2, 5, 9]
    # ... while the template around it is gone from the later pages
    assert not any(strap in t for t in texts[5:] for strap in WEEKLY.straps)


def test_a_story_archived_twice_does_not_teach_its_body(services: Services) -> None:
    """Near-copies (same story under other URLs) are not learned from."""
    article = seed_articles()[3]
    texts = [
        clean(services, site_page(WEEKLY, article, 3, url=url(k), variant=k), url(k))
        for k in range(5)
    ]
    page = site_page(WEEKLY, article, 3, url=url(4), variant=4)
    assert lost(page, texts[-1]) == []


def test_rotating_rail_items_are_template_too(services: Services) -> None:
    archive_site(services, 8, "hashed")
    page = site_page(WEEKLY, seed_articles()[8], 8, url=url(8), variant=8)
    text = clean(services, page, url(8))
    shown = [h for h, _ in WEEKLY.rail if h in page.html]
    assert len(shown) >= 4
    assert [h for h in shown if h in text] == []


def test_seed_pages_in_hashed_markup_lose_their_chrome(services: Services) -> None:
    """The four seed stories on one hashed-class host: what recurs goes, the body stays.

    (trafilatura itself drops seed 2's first subhead in this markup; the template
    must not drop anything more.)
    """
    for k in range(4):
        clean(services, seed_page(k, url=url(k), markup="hashed", rail_variant=k), url(k))
    chrome = ("We use cookies", "Share on Facebook", "Trending now", "Manage cookie preferences")
    before = after = 0
    for k in range(4):
        page = seed_page(k, url=url(k), markup="hashed", rail_variant=k + 4)
        plain = extract_page(page.html.encode(), url(k)).text
        text = clean(services, page, url(k), learn=False)
        assert lost(page, text) == lost(page, plain)
        assert len(lost(page, plain)) <= (1 if k == 2 else 0)
        before += sum(j in plain for j in chrome)
        after += sum(j in text for j in chrome)
    assert before >= 3 and after == 0


# -- the rules themselves ----------------------------------------------------------------


def counts(blocks: Sequence[str], seen: dict[str, int], pages: int) -> TemplateCounts:
    """Counts where block text ``t`` was seen on ``seen[t]`` articles (this page included)."""
    stats = {fingerprint(b): BlockStat(seen.get(b, 1), 1) for b in blocks}
    return TemplateCounts(pages, stats, frozenset(fingerprint(b) for b in blocks))


def removed(
    blocks: list[str], seen: dict[str, int], pages: int = 10, links: Sequence[str] = ()
) -> list[str]:
    known = counts(blocks, seen, pages)
    prints = [fingerprint(b) for b in blocks]
    linked = [b in links for b in blocks]
    gone = template_indices(blocks, prints, known, TemplateRules(), linked)
    return [blocks[i] for i in sorted(gone)]


BODY = [f"Paragraph {w} of the article says something new about the council vote." for w in "ab"]


def test_strong_blocks_go_and_their_recurring_neighbours_with_them() -> None:
    blocks = ["MORE STORIES", "A rotating headline", "2 days ago", *BODY]
    assert removed(blocks, {"MORE STORIES": 10, "A rotating headline": 2, "2 days ago": 9}) == [
        "MORE STORIES", "A rotating headline", "2 days ago",
    ]  # fmt: skip


def test_a_recurring_block_between_article_paragraphs_stays() -> None:
    blocks = [BODY[0], "A rotating headline", BODY[1]]
    assert removed(blocks, {"A rotating headline": 2}) == []


def test_a_quote_inside_the_text_stays_even_when_frequent() -> None:
    blocks = [BODY[0], QUOTE, BODY[1]]
    assert removed(blocks, {QUOTE: 8}) == []
    # next to chrome, quoted speech goes only when it is on (nearly) every page
    assert removed([BODY[0], QUOTE, "Sign up"], {QUOTE: 7, "Sign up": 10}) == ["Sign up"]
    assert removed([BODY[0], QUOTE, "Sign up"], {QUOTE: 9, "Sign up": 10}) == [QUOTE, "Sign up"]


def test_a_sentence_next_to_the_article_needs_twice_the_share() -> None:
    line = "Our journalism is funded by readers like you, and always will be."
    assert removed([BODY[0], line, "Sign up"], {line: 4, "Sign up": 10}) == ["Sign up"]
    assert removed([BODY[0], line, "Sign up"], {line: 7, "Sign up": 10}) == [line, "Sign up"]


def test_removal_never_empties_the_article() -> None:
    blocks = ["Menu", "A page that is nothing but its site's template, seen everywhere."]
    assert removed(blocks, dict.fromkeys(blocks, 10)) == []
    assert removed(blocks[1:], dict.fromkeys(blocks, 10)) == []


def test_new_rail_items_between_template_blocks_go_but_not_a_short_paragraph() -> None:
    fresh = "Brand-new headline nobody has seen yet"
    blocks = [*BODY, "MORE STORIES", fresh, "2 days ago", "Second new headline", "3 days ago"]
    stamps = {"MORE STORIES": 10, "2 days ago": 10, "3 days ago": 10}
    assert removed(blocks, stamps, links=[fresh, "Second new headline"]) == blocks[2:]
    # the same squeeze without a link in it: a dateline and a short first paragraph
    # between the byline and an in-body promo are the article's
    blocks = ["Share on X", "HAYWARD, Calif. (AP)", "10 p.m.", "Sign up", *BODY]
    assert removed(blocks, {"Share on X": 10, "Sign up": 10}) == ["Share on X", "Sign up"]


def test_churn_is_recurring_or_edge_non_sentences_only() -> None:
    stamp, ad, rail = "Oct 9, 2025", "Sponsored: Contoso Bank", "A headline rotated out"
    prints = {b: fingerprint(b) for b in (stamp, ad, rail, QUOTE, BODY[0])}
    known = TemplateCounts(10, {prints[ad]: BlockStat(3, 1)}, frozenset(prints.values()))

    def churn(*changed: str, edges: frozenset[str] = frozenset()) -> bool:
        return churn_only(changed, [prints[c] for c in changed], known, edges)

    assert churn(ad)  # seen on other articles
    assert churn(rail, edges=frozenset({rail}))  # next to the template
    assert not churn(rail)  # a new line inside the article: an edit
    assert not churn(ad, BODY[0])  # a changed sentence is always an edit
    assert not churn(QUOTE, edges=frozenset({QUOTE}))
    assert not churn()


def test_a_repeated_link_line_goes_wherever_it_sits() -> None:
    ad = "Sponsored: Contoso Bank — 5.1% APY on savings"
    blocks = [BODY[0], ad, BODY[1]]
    # one of many rotating ads: seen on 3 of 20 articles, under the share a block needs
    assert removed(blocks, {ad: 3}, 20, links=[ad]) == [ad]  # ... but a link
    assert removed(blocks, {ad: 2}, 20, links=[ad]) == []  # under template_min_pages
    assert removed(blocks, {ad: 3}, 20) == []  # the same line as plain text: article text
