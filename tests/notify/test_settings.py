"""``[[notify.webhook]]``: validated into one clear error line, settable from the environment."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from archiver.config import load_settings
from archiver.records.notify import WebhookRoute
from tests.conftest import Run

SECRET = "0123456789abcdef"
GOOD = f'url = "https://hooks.example.org/archiver?token=t0k3n"\nsecret = "{SECRET}"\n'


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *hooks: str) -> Path:
    path = tmp_path / "archiver.toml"
    path.write_text("".join(f"[[notify.webhook]]\n{hook}\n" for hook in hooks))
    monkeypatch.setenv("ARCHIVER_CONFIG", str(path))
    return path


@pytest.mark.parametrize(
    ("hook", "says"),
    [
        (GOOD + 'events = ["new", "deleted"]\n',
         "key 'notify.webhook.0.events.1': Input should be 'new', 'updated' or 'error' "
         "(got 'deleted')"),
        (GOOD + "events = []\n", "key 'notify.webhook.0.events': List should have at least 1"),
        ('url = "ftp://hooks.example.org/x"\n' f'secret = "{SECRET}"\n',
         "key 'notify.webhook.0.url': Value error, a webhook URL must be an http:// or https://"),
        ('url = "https://hooks.example.org:99999/x"\n' f'secret = "{SECRET}"\n',
         "key 'notify.webhook.0.url': Value error, bad port in webhook URL"),
        ('url = "https://hooks.example.org/x"\nsecret = "short"\n',
         "key 'notify.webhook.0.secret': String should have at least 16 characters"),
        ('url = "https://hooks.example.org/x"\n', "key 'notify.webhook.0.secret': Field required"),
        (GOOD + 'colour = "red"\n', "unknown key 'notify.webhook.0.colour'"),
    ],
)  # fmt: skip
def test_a_bad_webhook_is_one_config_error_line(
    cli: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hook: str,
    says: str,
) -> None:
    path = _config(tmp_path, monkeypatch, hook)
    run = cli("status")
    assert run.code == 1
    line = run.one_error_line()
    assert f"{path}: " in line
    assert says in line
    assert SECRET not in line and "'short'" not in line  # a secret is never echoed
    assert "t0k3n" not in line  # a URL's query may be a token: never echoed


def test_two_webhooks_need_distinct_names(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, monkeypatch, GOOD, GOOD)
    line = cli("status").one_error_line()
    assert "two webhooks are named 'hooks.example.org/archiver': give each a distinct" in line
    assert SECRET not in line


def test_routes_from_the_file_and_from_the_environment(
    archiver_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, monkeypatch, GOOD + 'site = "WWW.News.Example"\nsource = ["wire", "feed"]\n')
    (route,) = load_settings().notify.routes
    assert route == WebhookRoute(
        "hooks.example.org/archiver", ("new", "updated", "error"), ("news.example",),
        ("wire", "feed"),
    )  # fmt: skip
    hook = {"url": "http://10.0.0.5:8080/in", "secret": SECRET, "name": "ops", "events": ["error"]}
    monkeypatch.setenv("ARCHIVER_NOTIFY__WEBHOOK", json.dumps([hook]))
    monkeypatch.setenv("ARCHIVER_NOTIFY__MAX_ATTEMPTS", "3")
    notify = load_settings().notify
    assert notify.routes == [WebhookRoute("ops", ("error",))]
    assert (notify.max_attempts, notify.webhook[0].url) == (3, "http://10.0.0.5:8080/in")
    assert SECRET not in repr(notify)
