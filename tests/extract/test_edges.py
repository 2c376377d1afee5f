"""Menus and teaser rails at the edges of the text: cut by their shape, never the article."""

from __future__ import annotations

from archiver.extract.edges import trim_menus, trim_teaser_rail
from archiver.extract.postfilter import ordered_links

ARTICLE = [
    "The two leaders met at the border village for almost an hour on Sunday afternoon.",
    "Officials on both sides said the talks had been arranged in a hurry on Saturday.",
    "Negotiators are expected to resume working-level discussions within a few weeks.",
]
MENU = ["News", "Politics", "World", "Business", "Opinion", "Puzzles & Games"]


def test_menus_before_and_after_the_article_go_and_what_else_sits_there_stays() -> None:
    byline = "By Dana Whitfield - Published 30/06/2019 14:21"
    text = [*MENU, "Ortofotos de 2005", byline, *ARTICLE, "Janeiro", "(170)", "Fevereiro", "(127)",
            "Março", "(119)", "Abril", "(224)"]  # fmt: skip
    assert trim_menus(text) == [byline, *ARTICLE]


def test_a_list_inside_the_article_and_short_lines_at_its_edges_stay() -> None:
    inside = [ARTICLE[0], "Kim Jong Un", "Moon Jae-in", "Donald Trump", "Mike Pompeo", ARTICLE[1]]
    assert trim_menus(inside) == inside
    kicker = ["World", "Korea talks", "Analysis", *ARTICLE]  # three labels: no menu
    assert trim_menus(kicker) == kicker


def test_data_at_the_end_is_no_menu() -> None:
    """A box office's prices and phone number after a review (kept by the reference)."""
    tail = ["Ticketing", "www.jeongdongtheater.com", "VIP : 60,000₩", "R : 50,000₩",
            "S : 40,000₩", "Inquiry", "02-751-1500"]  # fmt: skip
    assert trim_menus([*ARTICLE, *tail]) == [*ARTICLE, *tail]


def test_lines_in_unspaced_scripts_are_not_labels() -> None:
    lines = [
        "一波波接續性低溫寒流報到 已將新竹尖石鄉後山一帶層層山巒",
        "每年12月向來是攝影班外拍的絕佳場所之一",
        "不忍踩過剛剛掉落的樹葉 沿著前人足跡踏痕輕踩而行",
        "外拍的攝影班學員一堆早已不時穿梭其間",
    ]
    assert trim_menus([*ARTICLE, *lines]) == [*ARTICLE, *lines]


def test_a_menu_only_page_is_left_alone() -> None:
    assert trim_menus(MENU) == MENU


RAIL = [
    "- Pochettino fired by Tottenham Pochettino took the club to the final in June",
    "- Maradona out as coach of Gimnasia The coach would now be free to sign elsewhere",
    "- Messi accepts challenge from Cavani Messi seems to be getting tougher with age",
]
HEADLINES = ordered_links(
    ["Pochettino fired by Tottenham", "Maradona out as coach of Gimnasia",
     "Messi accepts challenge from Cavani"]
)  # fmt: skip


def test_a_rail_of_headlines_with_teasers_after_the_article_goes() -> None:
    assert trim_teaser_rail([*ARTICLE, *RAIL], HEADLINES) == ARTICLE


def test_fewer_teasers_or_list_items_that_are_not_links_stay() -> None:
    assert trim_teaser_rail([*ARTICLE, *RAIL[:2]], HEADLINES) == [*ARTICLE, *RAIL[:2]]
    points = [f"- {p}" for p in ARTICLE]  # the article's own bullet points
    assert trim_teaser_rail([ARTICLE[0], *points], HEADLINES) == [ARTICLE[0], *points]
    assert trim_teaser_rail(RAIL, HEADLINES) == RAIL  # nothing but the rail: left alone
