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
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # not the user's own config
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


def _write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def _agent(name: str) -> str:
    return f'[fetch]\nuser_agent = "{name}"\n'


def test_config_file_is_found_by_data_directory_cwd_and_user_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First found wins: the data directory's, ./config/, $XDG_CONFIG_HOME/archiver/."""
    user = _write(tmp_path / "xdg" / "archiver" / "archiver.toml", _agent("user"))
    assert load_settings().fetch.user_agent == "user"
    cwd = _write(tmp_path / "config" / "archiver.toml", _agent("cwd"))
    assert load_settings().fetch.user_agent == "cwd"
    _write(tmp_path / "archive" / "archiver.toml", _agent("default-home"))
    assert load_settings().fetch.user_agent == "default-home"
    home = tmp_path / "elsewhere"
    _write(home / "archiver.toml", _agent("env-home"))
    monkeypatch.setenv("ARCHIVER_HOME", str(home))
    assert load_settings().fetch.user_agent == "env-home"
    flag = tmp_path / "flag-home"
    _write(flag / "archiver.toml", _agent("flag-home"))
    chosen = load_settings(home=flag)  # --home wins over ARCHIVER_HOME, for its file too
    assert (chosen.fetch.user_agent, chosen.home) == ("flag-home", flag)
    monkeypatch.setenv("ARCHIVER_CONFIG", str(user))  # a named file always wins
    assert load_settings(home=flag).fetch.user_agent == "user"
    assert load_settings(cwd, home=flag).fetch.user_agent == "cwd"


def test_user_config_dir_defaults_to_dot_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    _write(tmp_path / "me" / ".config" / "archiver" / "archiver.toml", 'home = "/srv/news"\n')
    assert load_settings().home == Path("/srv/news")


@pytest.mark.parametrize(
    ("toml", "asks"),
    [('[daemon]\nreload_every = "5"\n', "5m"), ('[daemon]\nrecheck_ladder = ["1h", "90"]\n', "90m"),
     ('[daemon]\nrecheck_tail = "30"\n', "30m"), ('[daemon]\nmisfire_grace = " 2 "\n', "2m")],
)  # fmt: skip
def test_a_duration_string_without_unit_is_an_error(tmp_path: Path, toml: str, asks: str) -> None:
    conf = _write(tmp_path / "a.toml", toml)
    with pytest.raises(ConfigError, match=rf"has no unit: did you mean {asks}\?") as info:
        load_settings(conf)
    assert str(info.value).startswith(f"{conf}: key 'daemon.")


def test_a_duration_from_the_environment_needs_a_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVER_DAEMON__RELOAD_EVERY", "30")
    with pytest.raises(ConfigError, match=r"^environment: key 'daemon.reload_every'.*30m\?"):
        load_settings()
    monkeypatch.setenv("ARCHIVER_DAEMON__RELOAD_EVERY", "30s")
    assert load_settings().daemon.seconds("reload_every") == 30


def test_numbers_stay_seconds_where_toml_gives_numbers(tmp_path: Path) -> None:
    """A TOML number in a duration key is seconds, and keys typed as seconds take numbers."""
    conf = _write(tmp_path / "a.toml", "[daemon]\nreload_every = 45\nshutdown_grace = 2\n")
    daemon = load_settings(conf).daemon
    assert (daemon.seconds("reload_every"), daemon.shutdown_grace) == (45, 2.0)
