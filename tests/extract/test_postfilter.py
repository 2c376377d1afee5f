"""Single-page post-filters on small pages: what each one cuts, and what it must keep."""

from __future__ import annotations

import trafilatura

from archiver.extract import extract_page
from archiver.extract.links import parse
from archiver.extract.postfilter import (
    drop_link_labels,
    link_share,
    ordered_links,
    recover_split_body,
    trim_link_edges,
    trim_to_core,
)

ARTICLE = [
    f"Paragraph {n} of the story tells the reader something new about the harbour plan "
    "that the council approved on Tuesday."
    for n in ("one", "two", "three", "four", "five", "six")
]
URL = "https://news.example.com/harbour"


def test_cut_to_the_span_the_precision_text_confirms() -> None:
    menu, footer = "Home News Sport Weather", "Copyright 2025 Example News. All rights reserved."
    balanced = [menu, *ARTICLE, footer]
    # precision mode dropped the menu, the footer and one paragraph in the middle
    strict = [ARTICLE[0], ARTICLE[1], ARTICLE[3], ARTICLE[4], ARTICLE[5]]
    assert trim_to_core(balanced, strict) == ARTICLE
    # no agreement on what the article is: keep everything
    assert trim_to_core(balanced, [menu]) == balanced
    assert trim_to_core(balanced, []) == balanced


def test_body_paragraphs_outside_the_span_come_back_from_the_page() -> None:
    html = (
        "<html><body><div class='nav'><p>Home News Sport Weather</p></div><div class='body'>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE)
        + "</div><div class='foot'><p>Sign up for our newsletter today.</p></div></body></html>"
    )
    balanced = ["Home News Sport Weather", *ARTICLE, "Sign up for our newsletter today."]
    strict = ARTICLE[1:4]  # precision mode lost the body's first and last paragraphs
    assert trim_to_core(balanced, strict, parse(html)) == ARTICLE


def test_link_lists_at_the_edges_go_and_inline_links_stay() -> None:
    links = ordered_links(["Home", "World news", "Storm hits the coast", "the harbour plan"])
    assert link_share("Storm hits the coast", links) == 1.0
    assert link_share(ARTICLE[0], links) < 0.3
    text = ["World news", *ARTICLE, "Storm hits the coast"]
    assert trim_link_edges(text, links) == ARTICLE
    assert trim_link_edges(["Storm hits the coast"], links) == ["Storm hits the coast"]


def test_labelled_links_go_but_a_sentence_with_a_colon_stays() -> None:
    links = ordered_links(["Storm hits the coast", "council"])
    sentence = "More: the council met on Tuesday to discuss the harbour plan."
    labelled = ["Read more: Storm hits the coast", "RELATED - Storm hits the coast"]
    text = [ARTICLE[0], *labelled, sentence, ARTICLE[1]]
    assert drop_link_labels(text, links) == [ARTICLE[0], sentence, ARTICLE[1]]


def test_an_article_body_cut_in_pieces_is_put_back_together() -> None:
    def body(paragraphs: list[str]) -> str:
        return "<div class='article__body'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"

    pieces = f"{body(ARTICLE[:3])}<div class='ad'><p>Advertisement</p></div>{body(ARTICLE[3:])}"
    earlier = body(
        ["An earlier box with the same class is not after the body, so it is no part of it."]
    )
    tree = parse(f"<html><body>{earlier}<main>{pieces}</main></body></html>")
    assert recover_split_body(ARTICLE[:3], tree, []) == ARTICLE
    assert recover_split_body(ARTICLE[:1], tree, []) == ARTICLE[:1]  # one paragraph: no body
    # end to end: trafilatura keeps the first piece only, the extractor all of them
    html = (
        f"<html><head><title>Harbour plan</title></head><body><main>{pieces}</main></body></html>"
    )
    assert ARTICLE[4] not in (trafilatura.extract(html) or "")
    assert extract_page(html.encode(), URL).blocks == tuple(ARTICLE)
