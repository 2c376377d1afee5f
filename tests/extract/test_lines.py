"""Known chrome lines and copies of the article; what merely resembles them stays."""

from __future__ import annotations

import pytest

from archiver.extract.lines import clean_paragraphs, drop_copies
from archiver.extract.postfilter import drop_caps_links, ordered_links

BODY = "The council approved the harbour plan on Tuesday after a debate of four hours."


@pytest.mark.parametrize(
    "line",
    [
        "Thanks for signing up!",
        "Keep an eye on your inbox for the latest sports news.",
        "Sorry! There was an error processing your subscription.",
        "This copy is for your personal, non-commercial use only. To order copies, visit us.",
        "An error has occurred, please try again later.",
        "Like this story? Share it with a friend!",
        "CLICK HERE TO GET THE FOX NEWS APP",
        "GET FOX BUSINESS ON THE GO BY CLICKING HERE",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "2019-11-19T08:57:40+01:00",
        "https://static6.example.de/image/5dd3a081695b-500-250/10-things.jpg",
        "DON'T MISS",
        "Tags",
    ],
)
def test_chrome_lines_go(line: str) -> None:
    assert clean_paragraphs(f"{BODY}\n{line}") == [BODY]


@pytest.mark.parametrize(
    "line",
    [
        "Thanks for signing up for the night class, the mayor told the volunteers on Monday.",
        "Click here to get more information or download this game.",
        "© 2019 Associated Press. All Rights Reserved. This material may not be published.",
        "http://amzn.to/2iJFhRj",
        "The error occurred on Tuesday, officials said, and engineers will try again today.",
        "Tags on the luggage showed it had passed through three airports.",
    ],
)
def test_lines_that_only_resemble_chrome_stay(line: str) -> None:
    assert clean_paragraphs(f"{BODY}\n{line}") == [BODY, line]


PARAGRAPHS = [f"{BODY} Paragraph {n} adds one more detail of the vote." for n in range(6)]


def test_a_copy_of_the_article_goes() -> None:
    """The whole body twice (desktop and mobile markup): the second copy goes."""
    assert drop_copies([*PARAGRAPHS, "Share", *PARAGRAPHS]) == [*PARAGRAPHS, "Share"]


def test_a_paragraph_repeated_alone_stays() -> None:
    refrain = "We shall overcome, we shall overcome, we shall overcome some day, they sang."
    text = [PARAGRAPHS[0], refrain, PARAGRAPHS[1], refrain, PARAGRAPHS[2], refrain]
    assert drop_copies(text) == text
    short_run = [*PARAGRAPHS[:4], *PARAGRAPHS[:4]]  # four in a row: under COPY_RUN
    assert drop_copies(short_run) == short_run


def test_capital_headlines_that_link_elsewhere_go_but_capital_subheads_stay() -> None:
    promo = "SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'"
    subhead = "WHAT HAPPENS NEXT"
    links = ordered_links([promo, "harbour plan"])
    assert drop_caps_links([BODY, promo, subhead, BODY], links) == [BODY, subhead, BODY]


CAPTIONS = [
    "Donald Trump said he aims to renew his ties with North Korean leader Kim Jong Un while "
    "meeting South Korean President Lee Jae Myung (Getty Images)",
    "PANMUNJOM, SOUTH KOREA - JUNE 30 (SOUTH KOREA OUT): A handout photo provided by Dong-A "
    "Ilbo of North Korean leader Kim Jong Un and President Donald Trump",
    "North Korean leader Kim Jong Un and President Donald Trump inside the demilitarized zone "
    "on June 30, 2019 in Panmunjom, South Korea (Dong-A Ilbo via Getty Images)",
    "President Donald Trump delivers remarks in the East Room of the White House on March 20, "
    "2025 in Washington, DC (Alex Wong/Getty Images)",
    "Photo Info",
    "Photographer: Shealah Craighead",
    "Location taken: Singapore",
]


@pytest.mark.parametrize("caption", CAPTIONS)
def test_captions_and_credit_lines_go(caption: str) -> None:
    assert clean_paragraphs(f"{BODY}\n{caption}\n{BODY} Again.") == [BODY, f"{BODY} Again."]


def test_a_caption_shown_again_without_its_credit_goes_with_it() -> None:
    bare = "President Donald Trump delivers remarks in the East Room of the White House."
    credited = f"{bare[:-1]} on March 20, 2025 in Washington, DC (Alex Wong/Getty Images)"
    assert clean_paragraphs(f"{BODY}\n{bare}\n{credited}") == [BODY]


@pytest.mark.parametrize(
    "line",
    [
        "WASHINGTON (AP) — The Senate voted on Tuesday to approve the harbour plan funding.",
        "The agency said it had sent its photographer to Panmunjom, where the talks were held.",
        "Getty Images, the photo agency, said it would appeal the ruling on Monday.",
    ],
)
def test_prose_about_photos_and_agencies_stays(line: str) -> None:
    assert clean_paragraphs(f"{BODY}\n{line}") == [BODY, line]


def test_seed_captions_as_plain_paragraphs_leave_the_text() -> None:
    """The seed story with its photo captions in plain <p> elements, not <figcaption>."""
    from archiver.extract import extract_page
    from tests.fixtures.seedpages import seed_page

    page = seed_page(3, url="https://news.example.com/a")
    body = "".join(f"<p>{p}</p>" for p in page.paragraphs[:2])
    body += "".join(f"<p>{c}</p>" for c in CAPTIONS[:4])
    body += "".join(f"<p>{p}</p>" for p in page.paragraphs[2:])
    head = f"<html><head><title>{page.title}</title></head>"
    html = f"{head}<body><article>{body}</article></body></html>"
    text = extract_page(html.encode(), "https://news.example.com/a").text
    assert all(p in text for p in page.paragraphs)
    assert [c for c in CAPTIONS[:4] if c[:40] in text] == []
