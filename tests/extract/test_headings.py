"""Subheadings in the article body are kept whatever their markup; labels and captions not."""

from __future__ import annotations

from archiver.extract import extract_page
from archiver.extract.headings import recover_headings
from archiver.extract.links import parse
from archiver.extract.postfilter import ordered_links
from tests.fixtures.seedpages import seed_page

PARAS = [
    "The two leaders met at the border village for almost an hour on Sunday afternoon, "
    "their third meeting in little more than a year.",
    "Officials on both sides said the talks had been arranged in a hurry after a message "
    "posted the day before by the president.",
    "Negotiators are expected to resume working-level discussions within weeks, according "
    "to people familiar with the plans.",
    "Critics said the meeting produced images rather than progress on the question of "
    "nuclear weapons and sanctions.",
]
URL = "https://news.example.com/story"


def page(body: str) -> bytes:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Talks</title></head>"
        f"<body><div class='css-a1'><div class='css-b2'>{body}</div></div></body></html>"
    ).encode()


def div(text: str, cls: str = "css-974188") -> str:
    return f"<div class='{cls}'>{text}</div>"


def test_styled_div_subheadings_between_paragraphs_are_kept() -> None:
    body = (
        div("How it began", "css-6f49b6") + div(PARAS[0]) + div(PARAS[1])
        + div("<strong>What comes next</strong>", "css-6f49b6") + div(PARAS[2]) + div(PARAS[3])
    )  # fmt: skip
    blocks = extract_page(page(body), URL).blocks
    assert blocks == ("How it began", PARAS[0], PARAS[1], "What comes next", PARAS[2], PARAS[3])


def test_captions_and_ads_between_paragraphs_are_no_headings() -> None:
    body = (
        div(PARAS[0]) + div("Advertisement") + div(PARAS[1])
        + div("Kim Jong Un at the border (Dong-A Ilbo via Getty Images)") + div(PARAS[2])
        + div(PARAS[3])
    )  # fmt: skip
    blocks = extract_page(page(body), URL).blocks
    assert blocks == tuple(PARAS)


def test_a_link_or_a_line_outside_the_body_is_not_put_back() -> None:
    links = ordered_links(["World news"])
    html = page(
        div(PARAS[0]) + div("<a href='/world'>World news</a>") + div(PARAS[1]) + div(PARAS[2])
    ).decode()
    tree = parse(html.replace("<div class='css-a1'>", "<div class='css-a1'><div>Most read</div>"))
    assert recover_headings(PARAS[:3], tree, links) == PARAS[:3]


def test_a_seed_story_in_hashed_markup_keeps_its_first_subhead() -> None:
    """trafilatura drops seed 2's first subhead (an <h2> at the top of the body)."""
    story = seed_page(2, url=URL, markup="hashed")
    text = " ".join(extract_page(story.html.encode(), URL).text.split())
    assert "Historical Context" in story.paragraphs
    assert [p for p in story.paragraphs if " ".join(p.split()) not in text] == []
