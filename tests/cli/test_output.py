"""What read commands print: times to the second in text, one JSON document with ``--json``
(an array for lists), one object per line with ``--jsonl``."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.daemon.newssite import NewsSite
from tests.localsite import LocalSite

STAMP = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")
# what text output must not show: fractions of a second, "+00:00", ISO's "T"
NOISE = re.compile(r"\d\d:\d\d:\d\d[.,]\d|[+-]\d\d:\d\d\b|\d{4}-\d\d-\d\dT\d\d")
EDIT = "Officials later said the talks would resume in Stockholm within two weeks."


def archive(cli: Any, site: LocalSite) -> str:
    """Two articles found by a polled feed, the first edited once; the first's URL."""
    news = NewsSite(site)
    url = news.publish("one", 0)
    news.publish("two", 1)
    cli("source", "add", news.url("/rss.xml"), "--kind", "feed", "--every", "1h", "--name", "n")
    assert cli("source", "run", "n").code == 0
    news.edit("one", EDIT)
    assert cli("add", "--json", url).json()["outcome"] == "updated"
    return url


def test_text_output_shows_times_to_the_second(cli: Any, site: LocalSite) -> None:
    url = archive(cli, site)
    title = cli("show", "--json", url).json()["title"]
    word = max(title.split(), key=len)
    commands = {
        "show": ["show", url],
        "show markdown": ["show", url, "--format", "markdown"],
        "history": ["history", url],
        "diff": ["diff", url],
        "list": ["list"],
        "search": ["search", word],
        "source list": ["source", "list"],
        "status": ["status"],
    }
    for name, args in commands.items():
        run = cli(*args)
        assert run.code == 0, (name, run.err)
        assert STAMP.search(run.out), (name, run.out)
        assert not NOISE.search(run.out), (name, NOISE.findall(run.out), run.out)
    history = cli("history", url).out.splitlines()[1:]
    assert len(history) == 2 and all(STAMP.search(line) for line in history)


def test_json_read_commands_print_one_document(cli: Any, site: LocalSite) -> None:
    url = archive(cli, site)
    title = cli("show", "--json", url).json()["title"]
    for args in (["list"], ["search", title], ["source", "list"]):
        run = cli(*args, "--json")
        assert run.code == 0, run.err
        doc = json.loads(run.out)  # JSON lines would not parse as one document
        assert isinstance(doc, list) and doc, (args, run.out)
        assert all(isinstance(row, dict) for row in doc)
        assert cli(*args, "--jsonl").json_lines() == doc
    assert len(json.loads(cli("list", "--json").out)) == 2
    assert json.loads(cli("list", "--json", "--site", "example.com").out) == []
    assert cli("list", "--jsonl", "--site", "example.com").out == ""
    for args in (["show", url], ["history", url], ["diff", url], ["status"]):
        doc = json.loads(cli(*args, "--json").out)
        assert isinstance(doc, dict), args
    # JSON keeps ISO 8601 in UTC with a Z
    first_seen = json.loads(cli("list", "--json").out)[0]["first_seen"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", first_seen), first_seen
