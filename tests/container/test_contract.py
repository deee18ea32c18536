"""The image's contract, run for real: the Dockerfile's own command, user, port and health check.

No Docker engine is needed: the exact CMD runs from the repo with the image's ENV and production settings
against PostgreSQL, as an unprivileged user, the way ECS runs the container.
"""

import os
import signal
import subprocess
import threading
import time

import psycopg
import pytest

from project.runtime import GRACEFUL_TIMEOUT_SECONDS, HEALTH_CHECK_COMMAND, HEALTH_PATH
from tests.support.dockerfile import REPO_ROOT, read_image_contract
from tests.support.gunicorn import (
    UNPRIVILEGED_UID,
    as_unprivileged,
    image_env,
    production_env,
    running_gunicorn,
)

# A container that is not answering its health check this soon after start is too slow to boot.
STARTUP_BUDGET_SECONDS = 5


@pytest.fixture(scope="module")
def contract():
    return read_image_contract()


@pytest.fixture(scope="module")
def server(server_database_url):
    with running_gunicorn(env=production_env(server_database_url), startup_timeout=15) as server:
        yield server


def test_image_runs_gunicorn_with_the_repo_config(contract):
    assert contract.process == ("gunicorn", "--config", "gunicorn.conf.py")


def test_image_runs_as_a_fixed_non_root_uid(contract):
    uid, _, gid = contract.user.partition(":")
    # Numeric, so a runtime can verify "not root" without the image's /etc/passwd.
    assert uid.isdigit(), contract.user
    assert gid.isdigit(), contract.user
    assert int(uid) != 0
    assert int(gid) != 0


def test_image_exposes_no_port_since_gunicorn_listens_on_loopback_behind_the_proxy(contract):
    assert contract.exposed_ports == ()


def test_image_health_check_is_the_shared_command(contract):
    assert contract.healthcheck is not None
    assert contract.healthcheck.command == HEALTH_CHECK_COMMAND


def test_server_process_runs_unprivileged(server):
    if os.geteuid() != 0:
        pytest.skip("tests already run as a non-root user")
    for pid in [server.pid, *server.worker_pids()]:
        with open(f"/proc/{pid}/status") as status:
            uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
        assert set(uids) == {str(UNPRIVILEGED_UID)}


def test_health_answers_within_seconds_of_start(server):
    assert server.startup_seconds < STARTUP_BUDGET_SECONDS
    response = server.get(HEALTH_PATH, headers={"Host": "10.0.2.15"})  # the ALB's check uses the task IP
    assert response.status_code == 200


def test_api_serves_from_postgresql(server):
    created = server.post("/messages", json={"sender": "alice", "content": "Hello from AWS!"})
    assert created.status_code == 201, created.text
    assert server.get(f"/messages/{created.json()['id']}").json()["content"] == "Hello from AWS!"


def test_health_check_command_succeeds_against_the_server(server, contract):
    result = subprocess.run(
        as_unprivileged(contract.healthcheck.command),
        cwd=REPO_ROOT,
        env={**image_env(), "PORT": str(server.port)},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 0, result.stderr


def _blocked_inserts(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            # A message's insert, alone or after the post limit's count in the same statement (ADR 0020).
            """ AND query LIKE '%INSERT INTO "messaging_message"%'"""
        ).fetchone()
    return row[0]


def test_sigterm_lets_an_in_flight_request_finish_then_exits_cleanly(server_database_url):
    """ECS stops a task with SIGTERM: a request already being served must still get its answer."""
    with running_gunicorn(env=production_env(server_database_url)) as server:
        answers = []
        # Hold the table so POST /messages waits inside the database: a slow request without a slow endpoint.
        with psycopg.connect(server_database_url) as holder:
            holder.execute("LOCK TABLE messaging_message IN EXCLUSIVE MODE")
            request = threading.Thread(
                target=lambda: answers.append(
                    server.post("/messages", json={"sender": "bob", "content": "in flight"}, timeout=30)
                )
            )
            request.start()
            deadline = time.monotonic() + 5
            while _blocked_inserts(server_database_url) == 0:
                assert time.monotonic() < deadline, "the request never reached the database"
                time.sleep(0.05)

            server.signal(signal.SIGTERM)
            signalled = time.monotonic()
            time.sleep(1)
            assert server.process.poll() is None, "gunicorn exited with a request in flight"
            holder.commit()  # releases the lock: the request completes

        request.join(timeout=30)
        exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT_SECONDS + 5)
        stopped_after = time.monotonic() - signalled

    assert len(answers) == 1, "the in-flight request got no answer"
    assert answers[0].status_code == 201, answers[0].text
    assert exit_code == 0
    assert stopped_after < GRACEFUL_TIMEOUT_SECONDS
