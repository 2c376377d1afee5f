"""Settings: defaults < config file < ARCHIVER_* environment; errors name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.config import load_settings
from archiver.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("ARCHIVER_HOME", "ARCHIVER_DATABASE_URL", "ARCHIVER_CONFIG",
                "ARCHIVER_ALLOW_PRIVATE_NETWORKS", "ARCHIVER_FETCH__PER_HOST_DELAY",
                "ARCHIVER_FETCH__RETRY_BACKOFF"):  # fmt: skip
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults(tmp_path: Path) -> None:
    s = load_settings()
    assert s.home == Path("archive")
    assert s.db_url == f"sqlite:///{tmp_path / 'archive' / 'archiver.db'}"
    assert s.fetch.allow_private_networks is False
    assert not (tmp_path / "archive").exists()  # created on first use, not on load
    s.ensure_home()
    assert (tmp_path / "archive").is_dir()


def test_shipped_example_is_the_defaults() -> None:
    """config/archiver.toml documents every key with its default value."""
    shipped = load_settings(REPO / "config" / "archiver.toml")
    assert shipped.model_dump() == load_settings().model_dump()


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "a.toml"
    conf.write_text('home = "data"\n[fetch]\nuser_agent = "file-agent"\nmax_redirects = 3\n')
    monkeypatch.setenv("ARCHIVER_CONFIG", str(conf))
    s = load_settings()
    assert (s.home, s.fetch.user_agent, s.fetch.max_redirects) == (Path("data"), "file-agent", 3)
    monkeypatch.setenv("ARCHIVER_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("ARCHIVER_FETCH__USER_AGENT", "env-agent")
    monkeypatch.setenv("ARCHIVER_DATABASE_URL", "postgresql+psycopg://u@db:5432/a")
    monkeypatch.setenv("ARCHIVER_ALLOW_PRIVATE_NETWORKS", "1")
    s = load_settings()
    assert s.home == tmp_path / "elsewhere"
    assert s.fetch.user_agent == "env-agent"
    assert s.fetch.max_redirects == 3  # still from the file
    assert s.db_url == "postgresql+psycopg://u@db:5432/a"
    assert s.fetch.allow_private_networks is True


def test_errors_name_file_key_and_type(tmp_path: Path) -> None:
    conf = tmp_path / "bad.toml"
    conf.write_text('[fetch]\nmax_redirects = "ten"\n[daemon]\nrecheck_ladder = ["1h", "soon"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(conf)
    message = str(info.value)
    assert message.startswith(str(conf))
    assert "fetch.max_redirects" in message
    assert "integer" in message
    assert "daemon.recheck_ladder" in message
    assert "not a duration" in message
