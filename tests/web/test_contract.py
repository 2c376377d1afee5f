"""The API against its own OpenAPI document: schemathesis on a real ``archiver serve``.

The server is a real process on 127.0.0.1 with a temporary archive home, seeded
with the articles of ``tests/web/data.py`` and a web token. Schemathesis loads
the document the server serves, generates requests for every operation
(examples, coverage and fuzzing phases; valid and invalid data) and runs every
check it has on every response.

Writes are fuzzed without the web token: they must answer 401 (checked by
``ignored_auth``, ``missing_required_header`` and the status and schema
checks). With the token, ``POST /api/urls`` would fetch whatever URL was drawn
from the internet, so authorized writes are covered by ``test_api.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from archiver.store import Store
from archiver.web.openapi import document
from tests.web.conftest import TOKEN
from tests.web.data import populate
from tests.web.live import serve_process

MAX_EXAMPLES = 25  # per operation and phase: the whole run stays well under a minute
CONFIG = {
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    # Every check stays on (the default); max_response_time, off unless given a limit, too.
    "checks": {"max_response_time": 10},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("contract")
    home = root / "home"
    home.mkdir()
    with Store(f"sqlite:///{home / 'archiver.db'}") as store:
        populate(store)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVER_")}
    env |= {"ARCHIVER_HOME": str(home), "ARCHIVER_WEB__TOKEN": TOKEN}
    with serve_process(env, Path(root)) as url:
        yield url


def test_the_served_document_is_the_generated_one(served: str) -> None:
    answer = httpx.get(f"{served}/api/openapi.json", timeout=10)
    assert answer.status_code == 200 and answer.json() == document()


# The generated document, which the server serves (the test above); loaded at import
# because `schemathesis.pytest.from_fixture` does not work with pytest 9 (`_nodeid`).
schema = schemathesis.openapi.from_dict(document(), config=schemathesis.Config.from_dict(CONFIG))


def test_every_check_is_on() -> None:
    load_all_checks()
    config = schema.config.checks_config_for()
    names = CHECKS.get_all_names()
    assert len(names) >= 14 and "ignored_auth" in names and "negative_data_rejection" in names
    assert {n for n in names if not config.get_by_name(name=n).enabled} == set()
    assert config.max_response_time.enabled


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written to .hypothesis/
    suppress_health_check=list(HealthCheck),
)
def test_the_api_matches_its_document(case: schemathesis.Case, served: str) -> None:
    case.call_and_validate(base_url=served, timeout=10)
