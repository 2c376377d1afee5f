"""Single-page post-filters on small pages: what each one cuts, and what it must keep."""

from __future__ import annotations

import trafilatura

from archiver.extract import extract_page
from archiver.extract.links import parse
from archiver.extract.page import _filtered
from archiver.extract.postfilter import (
    drop_link_labels,
    drop_stamped_links,
    link_share,
    ordered_links,
    recover_split_body,
    trim_link_edges,
)

ARTICLE = [
    f"Paragraph {n} of the story tells the reader something new about the harbour plan "
    "that the council approved on Tuesday."
    for n in ("one", "two", "three", "four", "five", "six")
]
URL = "https://news.example.com/harbour"


def test_filters_that_would_take_half_the_words_are_undone() -> None:
    """Every paragraph looks like a link list (a page of linked names): the filters would
    leave one paragraph, so they misread the page and the text stays whole."""
    linked = [  # a page whose every sentence is a link: the council's reports
        "Harbour plan approved by the council in a late vote.",
        "Harbour plan costs rise by a third over two years.",
        "Harbour plan opponents take their case to the court.",
        "Harbour plan work to start in the spring of next year.",
    ]
    links = ordered_links(linked)
    assert trim_link_edges(linked, links) == linked[:1]  # alone, the rule keeps one line
    assert _filtered(linked, links) == linked


def test_the_post_filters_cut_only_what_they_recognise() -> None:
    """No second extraction bounds the article: a paragraph is kept unless a rule names
    it (a menu, a link list, a chrome line), wherever trafilatura found it."""
    text = ["Home", "World", "Sport", "Weather", *ARTICLE, "Tags"]
    assert _filtered(text, ordered_links(["Home", "World", "Sport", "Weather"])) == [
        *ARTICLE,
        "Tags",
    ]


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


def test_a_most_read_box_inside_the_text_goes_with_its_clock() -> None:
    """Headline links with their ages, the live counter and the "Updated at" line: the box
    rotates and ticks on every fetch. Kept between the article and its footer, it would
    make every re-fetch an edit; it says nothing of the article, wherever it sits."""
    headlines = ["Storm closes schools across the county", "Markets fall", "Rail strike ends"]
    box = [
        f"- {headlines[0]} 12 min ago",
        f"- {headlines[1]} 3 min ago",  # a short headline: its age is half the line
        f"{headlines[2]} · 1,204 comments",
        "56,441 readers right now",
        "Updated at 03:54:13",
    ]
    footer = "Reporting by the harbour desk; editing by the night team."
    links = ordered_links(headlines)
    assert drop_stamped_links([*ARTICLE[:3], *box, *ARTICLE[3:], footer], links) == [
        *ARTICLE,
        footer,
    ]


def test_times_and_figures_of_the_article_stay() -> None:
    """A live blog's entry times, a schedule, a table's figures, a sentence about a
    headline: no link with a stamp, no status word, so nothing goes."""
    lines = [
        "10 p.m.",  # a live blog's entry heading
        "4:14 p.m.",
        "9.30 A.M. / 7.00 P.M.",
        "4.3333333333333333",
        "2 │ -0.75703329861022517346",
        "Storm closes schools: the county said at 10:02 that 3,000 pupils stay home.",
        "Published on April 21",  # a date, no clock: not a status line
    ]
    links = ordered_links(["Storm closes schools", "county"])
    assert drop_stamped_links(lines, links) == lines
    # a link without its stamp is not a rail item here (trim_link_edges decides at edges)
    assert drop_stamped_links(["Storm closes schools"], links) == ["Storm closes schools"]
