""".ci/postgres.sh, the part of .ci/run that starts the throwaway PostgreSQL, run on its own.

Two CI runs started in the same second can both be told one free port; the second's server then
finds it taken. These tests stand in for the other run with a socket held on that port.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

SCRIPT = ROOT / ".ci" / "postgres.sh"


def bash(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n. {SCRIPT}\n{script}"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port another process is listening on, as the other CI run's server would be."""
    with socket.socket() as other_run:
        other_run.bind(("127.0.0.1", 0))
        other_run.listen()
        yield other_run.getsockname()[1]


def test_the_free_port_search_passes_over_a_port_in_use(held_port: int) -> None:
    found = bash(f"ci_postgres_free_port {held_port}")
    assert found.returncode == 0, found.stderr
    assert int(found.stdout) > held_port


@pytest.fixture
def can_start_postgres() -> None:
    """.ci/run runs as root and starts the cluster as the postgres user, as these tests do."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the cluster is started with su postgres)")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("PostgreSQL's server programs")
    if not shutil.which("su"):
        missing.append("su")
    if missing:
        reason = "starting a throwaway PostgreSQL needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(reason + ", which CI (CI=true) has")
        pytest.skip(reason)


@pytest.mark.postgres
def test_a_port_taken_as_the_server_starts_is_retried_on_the_next_free_one(
    can_start_postgres: None, held_port: int, tmp_path: Path
) -> None:
    # The race: the search saw the port free a moment before the other run's server took it.
    told = tmp_path / "told-the-held-port"
    started = bash(
        f"""
        trap ci_postgres_stop EXIT
        eval "real_$(declare -f ci_postgres_free_port)"
        ci_postgres_free_port() {{
          if [ -e {told} ]; then real_ci_postgres_free_port "$1"; else touch {told}; echo {held_port}; fi
        }}
        ci_postgres_start
        su postgres -s /bin/sh -c "$PGBIN/psql -h 127.0.0.1 -p $PGPORT -U postgres -Atc 'show port'"
        """,
        CHAMBERS_CI_PG_FIRST_PORT=str(held_port),
    )
    assert started.returncode == 0, started.stdout + started.stderr
    assert (
        f"ci: port {held_port} was taken as PostgreSQL started (another run picked it too?); "
        "trying the next free port" in started.stderr
    )
    port = int(started.stdout.splitlines()[-1])
    assert port > held_port
    assert f"ci: PostgreSQL is on 127.0.0.1:{port}" in started.stdout


@pytest.mark.postgres
def test_the_retries_are_bounded_and_say_so(can_start_postgres: None, held_port: int) -> None:
    # Every port it is given is taken: it gives up after a few tries instead of walking the range.
    started = bash(
        f"""
        trap ci_postgres_stop EXIT
        ci_postgres_free_port() {{ echo {held_port}; }}
        ci_postgres_start
        """
    )
    assert started.returncode != 0
    assert started.stderr.count(f"ci: port {held_port} was taken") == 5
    assert (
        f"ci: PostgreSQL did not start: the port it was given was taken 5 times in a row (the last {held_port})"
        in started.stderr
    )
