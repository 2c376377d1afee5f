"""Hosts that only fail deep inside IDNA decoding, and the catch-all for anything unforeseen."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.cli import main
from archiver.config import load_settings
from archiver.store import Store
from tests.localsite import LocalSite

BROKEN_A_LABELS = ["xn--ab", "xn--", "xn--zz-"]  # not Punycode, or not a valid IDNA label


@pytest.mark.parametrize("host", BROKEN_A_LABELS)
def test_a_broken_a_label_is_a_bad_url_not_a_traceback(cli: Any, host: str) -> None:
    run = cli("add", f"http://{host}/x")
    assert run.code == 2
    assert "invalid host name" in run.one_error_line()
    assert run.stored() == {"articles": 0, "versions": 0, "bodies": 0}


@pytest.mark.parametrize("host", BROKEN_A_LABELS)
def test_a_redirect_to_a_broken_a_label_is_a_fetch_error(
    cli: Any, site: LocalSite, host: str
) -> None:
    site.redirect("/moved", f"http://{host}/x")
    run = cli("add", site.url("/moved"))
    assert run.code == 1
    assert "invalid redirect location" in run.one_error_line()


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("disk\nsaid no")


def test_an_unexpected_exception_is_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(load_settings().db_url).close()  # an (empty) archive to read
    monkeypatch.setattr(Store, "list_articles", _broken)
    run = cli("list")
    assert run.code == 1
    line = run.one_error_line()
    assert line == (
        "archiver: error: unexpected error (RuntimeError: disk said no);"
        " rerun with --debug for the traceback"
    )


def test_debug_lets_the_unexpected_exception_through(
    archiver_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(load_settings().db_url).close()
    monkeypatch.setattr(Store, "list_articles", _broken)
    with pytest.raises(RuntimeError, match="disk"):  # Python prints its traceback
        main(["--debug", "list"])
