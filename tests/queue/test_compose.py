"""docker-compose.yml: valid by the compose spec, by Debian's ``docker-compose config``,
and every service's command, as the file writes it, runs natively against local PostgreSQL.

There is no Docker daemon here, so the services' commands run as processes with the
environment the file gives them (only the database URL, the data directory and the web
port are pointed at this machine).

``tests/fixtures/compose-spec.json`` is the Compose Specification's JSON schema as
shipped by Debian 12's ``docker-compose`` package (1.29.2-3, Apache-2.0; the file
``/usr/lib/python3/dist-packages/compose/config/compose_spec.json``, which
docker-compose validates files with). Debian's package is installed by ``make
compose`` (run by ``make test``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.queue.conftest import ARCHIVER, Cluster, Proc, stop_all, until

# Real processes on a busy 2-core machine: starting one takes seconds of imports.
pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec.json"
ARCHIVER_SERVICES = ("migrate", "scheduler", "worker", "web")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def validator() -> jsonschema.Draft201909Validator:
    """The schema says draft 2019-09 (as ``.../2019-09/schema#``, a spelling jsonschema
    does not look up by itself, so the validator is named here)."""
    schema = json.loads(SCHEMA.read_text())
    assert "2019-09" in schema["$schema"]
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def test_compose_file_matches_the_compose_spec() -> None:
    check = validator()
    data = compose()
    assert list(check.iter_errors(data)) == []
    broken = copy.deepcopy(data)
    broken["services"]["worker"]["depends_on"]["migrate"]["condition"] = "service_finished"
    assert list(check.iter_errors(broken)), "the schema let an unknown condition through"


def test_compose_file_has_the_services_the_issue_asks_for() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", *ARCHIVER_SERVICES}
    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]  # a named volume, not a host directory
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("scheduler", "worker", "web"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert not {"container_name", "ports"} & set(services["worker"])  # --scale worker=N
    for name in ARCHIVER_SERVICES:
        env = services[name]["environment"]
        assert env["ARCHIVER_DAEMON__QUEUE"] == "procrastinate"
        assert env["ARCHIVER_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert services[name]["command"][0] == "archiver"


def test_debian_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose missing: `make compose` installs Debian's package")
        pytest.skip("docker-compose not installed (`make compose` installs it as root)")
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "COMPOSE_FILE")}
    env["POSTGRES_PASSWORD"] = "s3cret"
    done = subprocess.run(
        [binary, "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == {"postgres", *ARCHIVER_SERVICES}
    url = resolved["services"]["worker"]["environment"]["ARCHIVER_DATABASE_URL"]
    assert url == "postgresql+psycopg://archiver:s3cret@postgres:5432/archiver"
    broken = tmp_path / "broken.yml"
    broken.write_text(COMPOSE.read_text().replace("service_healthy", "service_ready", 1))
    refused = subprocess.run(
        [binary, "-f", str(broken), "config"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _service_env(cluster: Cluster, service: dict[str, Any], port: int) -> dict[str, str]:
    env = {k: v for k, v in cluster.env.items() if not k.startswith("ARCHIVER_")}
    env.update({k: str(v) for k, v in service["environment"].items()})
    env.update({  # what the containers would reach under other names
        "ARCHIVER_DATABASE_URL": cluster.env["ARCHIVER_DATABASE_URL"],
        "ARCHIVER_HOME": str(cluster.tmp / "data"),
        "ARCHIVER_WEB__PORT": str(port),
        "ARCHIVER_EXTRACT__WORKERS": "1",
    })  # fmt: skip
    return env


def _web_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
            return int(answer.status) == 200
    except OSError:
        return False


def test_every_service_command_runs_natively(cluster: Cluster) -> None:
    services = compose()["services"]
    port = _free_port()
    check = services["postgres"]["healthcheck"]["test"]
    assert check[0] == "CMD-SHELL"
    pg = make_pg_env(cluster.env["ARCHIVER_DATABASE_URL"])
    ready = subprocess.run(["sh", "-c", check[1]], env=pg, capture_output=True, timeout=30)
    assert ready.returncode == 0, ready.stdout

    def command(name: str) -> list[str]:
        argv = [str(a) for a in services[name]["command"]]
        return [ARCHIVER, *argv[1:]]

    migrate = subprocess.run(
        command("migrate"), env=_service_env(cluster, services["migrate"], port),
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    assert "job queue schema: created" in migrate.stdout

    running: list[Proc] = []
    for name in ("scheduler", "worker", "web"):
        argv = command(name)
        log = cluster.tmp / f"{name}.log"
        with log.open("wb") as err:
            popen = subprocess.Popen(
                argv, env=_service_env(cluster, services[name], port), cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        running.append(Proc(tuple(argv), popen, log))
    scheduler, worker, _web = running
    until(lambda: '"daemon started' in scheduler.text(), 120, "the scheduler to start")
    until(lambda: '"worker started' in worker.text(), 120, "the worker to start")
    until(lambda: _web_up(port), 120, "the web service to answer")
    assert stop_all(*running) == [0, 0, 0], "".join(p.text() for p in running)


def make_pg_env(url: str) -> dict[str, str]:
    """libpq's variables for the test database (pg_isready reads them)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return {**os.environ, "PGHOST": parsed.host or "127.0.0.1", "PGPORT": str(parsed.port or 5432)}


def test_dockerfile_copies_what_exists_and_installs_the_package() -> None:
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    copies = [words[1:-1] for words in lines if words and words[0] == "COPY"]
    assert copies, "the Dockerfile copies nothing"
    for sources in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    assert any(words[:4] == ["RUN", "pip", "install", "."] for words in lines)
    assert compose()["x-archiver"]["build"] == "."
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "archive"} <= set(ignored)  # no local venv or data in the image
