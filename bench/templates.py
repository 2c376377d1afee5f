"""Site-template learning as it grows: precision/recall of new pages after N archived ones.

Five generated publishers serve their articles in hashed-class markup (nothing
but ``<div>``s with ``class="css-…"``: no tag or class says what is chrome, and
trafilatura keeps most of it). Each has its own template: an in-body newsletter
promo whose wording rotates, a rotating ad slot, newsletter footer and
disclaimer, a "MORE STORIES" rail rotating through a pool with "N days ago"
stamps (on the fifth site: the site's five newest headlines, so new pages
show rail items no page learned from has shown), plus banners, navigation,
share bar, trending list, cookie banner and footer (tests/fixtures/sites.py
renders them). Article text is the benchmark's
ground-truth bodies (../shared/eval/article-extraction-benchmark), one article
per body, no body used twice.

For each site and each N, a fresh store learns from N archived pages (the
pipeline's own ``clean_blocks``), then ten other pages of the site are
extracted with that knowledge and scored against their true bodies with the
article-extraction-benchmark metric (bench/extraction.py). "phrases left"
counts the template phrases (promo, banners, rail items, footer...) still in
those ten clean texts. N = 0 is the extractor alone, without templates.

    .venv/bin/python bench/templates.py [--data DIR] [--targets 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fixture sites live with the tests

from archiver.archive import Services  # noqa: E402
from archiver.archive.chrome import clean_blocks  # noqa: E402
from archiver.extract import extract_page  # noqa: E402
from archiver.store import Store  # noqa: E402
from bench.extraction import DATA, page_scores  # noqa: E402
from tests.fixtures.seedpages import SeedPage  # noqa: E402
from tests.fixtures.sites import WEEKLY, ArticleText, Site, site_page  # noqa: E402

STEPS = (0, 1, 3, 6, 10)


def _site(name: str, topic: str, rail: list[str]) -> Site:
    return Site(
        name=name,
        promo=(
            name,
            f"Sign up for the {name} {topic} briefing",
            f"Every weekday morning: the {topic} stories that matter, in five minutes.",
        ),
        straps=(
            f"Don't miss a thing from {name}.",
            "Join 400,000 readers who start their day with us.",
            f"Our {topic} desk, straight to your inbox.",
        ),
        after_body=(
            f"Want more {topic}? Follow {name} on social media for the latest updates.",
            f"{name} may earn a commission from links on this page. Prices may change.",
        ),
        rail=tuple((headline, f"{topic.title()} · read more") for headline in rail),
        rail_title="MORE STORIES" if len(rail) % 2 else "Latest from us",
    )


SITES = (
    WEEKLY,
    _site("Harbour Times", "business", [
        "Port expansion clears final hurdle", "Shipping rates fall for a third week",
        "Local bakery wins national prize", "Council weighs tram extension",
        "Tech start-up raises fresh funding", "Housing market cools in autumn",
        "Fishing quotas cut again", "Airport strike called off",
    ]),
    _site("Daily Orbit", "science", [
        "Telescope spots distant water world", "Rover finds layered rock",
        "Comet visible to the naked eye next week", "Quantum chip breaks record",
        "Glacier retreat speeds up", "New species of frog named", "Solar storm warning issued",
    ]),
    _site("Midfield", "sport", [
        "Late winner keeps title race alive", "Coach signs two-year extension",
        "Injury rules captain out of derby", "Cup draw throws up giant-killing chance",
        "Transfer window: the deals so far", "Women's league breaks attendance record",
        "Referee review panel backs decision", "Academy graduate makes debut",
        "Stadium plans approved",
    ]),
    # The hard case: the rail lists the site's five newest stories, so each page
    # shows headlines no page learned from has shown yet.
    _site("Evening Post", "city", []),
)  # fmt: skip
LATEST = "Evening Post"


def articles(data: Path, count: int) -> list[ArticleText]:
    """``count`` ground-truth bodies of five paragraphs or more, as articles."""
    truth = json.loads((data / "ground-truth.json").read_text())
    found = []
    for key in sorted(truth):
        paragraphs = tuple(p.strip() for p in truth[key]["articleBody"].split("\n") if p.strip())
        if len(paragraphs) >= 5:
            title = " ".join(paragraphs[0].split()[:10]).rstrip(",.;:")
            found.append(ArticleText(title, paragraphs))
    if len(found) < count:
        raise SystemExit(f"need {count} articles of 5+ paragraphs, {data} has {len(found)}")
    return found[:count]


def url(site: Site, k: int) -> str:
    return f"https://{site.name.lower().replace(' ', '')}.example/news/{k}"


async def _clean(services: Services, page: SeedPage, address: str, learn: bool) -> str:
    extracted = extract_page(page.html.encode(), address)
    host = address.split("/")[2]
    cleaned = await clean_blocks(services, extracted, host, address, learn=learn)
    return "\n\n".join(cleaned.blocks)


def run_site(site: Site, pool: list[ArticleText], n: int, targets: int) -> dict[str, float]:
    def rail(k: int) -> list[tuple[str, str]] | None:
        if site.name != LATEST:
            return None
        return [(pool[(k - j) % len(pool)].title, "") for j in range(1, 6)]

    pages = [
        site_page(site, a, k, url=url(site, k), variant=k, rail=rail(k)) for k, a in enumerate(pool)
    ]
    train, test = range(n), range(len(pool) - targets, len(pool))
    with tempfile.TemporaryDirectory() as tmp, Store(f"sqlite:///{tmp}/bench.db") as store:
        services = Services(fetcher=None, extractor=None, store=store)  # type: ignore[arg-type]

        async def go() -> list[str]:
            for k in train:
                await _clean(services, pages[k], url(site, k), learn=True)
            if n == 0:
                return [extract_page(pages[k].html.encode(), url(site, k)).text for k in test]
            return [await _clean(services, pages[k], url(site, k), False) for k in test]

        texts = asyncio.run(go())
    scored = list(zip(test, texts, strict=True))
    scores = [page_scores("\n\n".join(pages[k].paragraphs), t) for k, t in scored]
    left = [[j for j in pages[k].junk if j in t] for k, t in scored]
    return {
        "p": statistics.mean(s[0] or 0.0 for s in scores),
        "r": statistics.mean(s[1] or 0.0 for s in scores),
        "left": sum(len(x) for x in left),
        "dirty": sum(1 for x in left if x),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--targets", type=int, default=10, help="pages scored per site")
    args = parser.parse_args()
    per_site = max(STEPS) + args.targets
    bodies = articles(args.data, per_site * len(SITES))
    pools = {s.name: bodies[i * per_site : (i + 1) * per_site] for i, s in enumerate(SITES)}
    print(f"site templates: {len(SITES)} hashed-class sites, {args.targets} target pages each, "
          f"learned from N other pages (N = 0: no template)")  # fmt: skip
    print(f"{'site':<20}{'N':>4}{'precision':>11}{'recall':>8}{'F1':>7}{'phrases left':>18}")
    totals: dict[int, list[dict[str, float]]] = {n: [] for n in STEPS}
    for site in SITES:
        for n in STEPS:
            row = run_site(site, pools[site.name], n, args.targets)
            totals[n].append(row)
            f1 = 2 * row["p"] * row["r"] / (row["p"] + row["r"])
            left = f"{row['left']:.0f} in {row['dirty']:.0f} pages"
            print(f"{site.name:<20}{n:>4}{row['p']:>11.3f}{row['r']:>8.3f}{f1:>7.3f}{left:>18}")
    for n in STEPS:
        p = statistics.mean(r["p"] for r in totals[n])
        r = statistics.mean(r["r"] for r in totals[n])
        left = sum(r["left"] for r in totals[n])
        print(f"{'all sites':<20}{n:>4}{p:>11.3f}{r:>8.3f}{2 * p * r / (p + r):>7.3f}{left:>18.0f}")


if __name__ == "__main__":
    main()
