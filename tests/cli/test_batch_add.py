"""``add --from-file`` with a large batch: every URL archived, work in flight bounded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from archiver.fetch.resolver import Resolver
from tests.fixtures.batchsites import batch_sites

HOSTS, PER_HOST = 6, 60


def test_a_large_batch_over_six_hosts_is_archived_whole(cli: Any, tmp_path: Path) -> None:
    with batch_sites(HOSTS, PER_HOST) as (sites, urls):
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")  # sorted by host, one host after another
        added = cli("add", "--json", "--from-file", str(listing))

    rows = [json.loads(line) for line in added.out.splitlines()]
    assert added.code == 0, added.err[-2000:]
    assert len(rows) == len(urls) == HOSTS * PER_HOST
    assert {r["outcome"] for r in rows} == {"new"}, [r for r in rows if r["outcome"] != "new"][:3]
    assert sorted(r["url"] for r in rows) == sorted(urls)
    for site in sites:
        assert len(site.hits_for("/robots.txt")) == 1  # one robots.txt per host, shared
        starts = sorted(hit.at for hit in site.hits if hit.path != "/robots.txt")
        assert len(starts) == PER_HOST
    # Hosts took turns: each host's first page came before any host's 20th.
    firsts = [min(h.at for h in s.hits if h.path.startswith("/a/")) for s in sites]
    twentieths = [sorted(h.at for h in s.hits if h.path.startswith("/a/"))[19] for s in sites]
    assert max(firsts) < min(twentieths)


def test_concurrent_lookups_of_one_host_share_one_query() -> None:
    async def scenario() -> tuple[int, int]:
        resolver = Resolver()
        answers = await asyncio.gather(*(resolver.resolve("localhost", 80, 5.0) for _ in range(50)))
        again = await resolver.resolve("localhost", 80, 5.0)
        assert all(a == again for a in answers)
        return resolver.lookups, len(answers)

    assert asyncio.run(scenario()) == (1, 50)
