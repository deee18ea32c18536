"""A database that stops answering while clients keep calling: a table lock held for 40 s, then a network path
that goes silent (no reset, no FIN). Requests get JSON 503s within their deadlines, ``/health`` answers
within a second on a fresh connection throughout, no worker is replaced, and service is back as soon as
the database is."""

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest

from tests.support.load import in_background
from tests.support.probes import HealthProber
from tests.support.proxy import running_task
from tests.support.relay import TcpRelay
from tests.support.server_log import lines_of
from tests.support.tcp_states import connections_per_worker
from tests.support.traffic import Traffic, api_traffic, first_acknowledgement

CLIENTS = 8
HEALTH_WITHIN = 1.0
WARM_UP_SECONDS = 2
# The two answers the API gives for a database it cannot use (project.bulkhead, messaging.api.exceptions).
UNAVAILABLE_CODES = {"server_busy", "database_unavailable"}

LOCK_SECONDS = 40
LOCK_RECOVERY_WITHIN = 1.0

STALL_SECONDS = 15
# The query deadline (statement_timeout 5 s + 1 s, project.bulkhead) and a margin.
STALLED_ANSWER_WITHIN = 7.0
# A request that meets the stall while opening a connection waits out connect_timeout (3 s) first.
STALL_RECOVERY_WITHIN = 5.0


def assert_only_unavailable_answers(answers) -> None:
    """Every answer is a JSON 503 saying why, with Retry-After: never a 500, never a dropped connection."""
    assert answers, "no request was answered during the fault"
    assert Counter(answer.status for answer in answers) == Counter({503: len(answers)})
    assert {answer.error_code for answer in answers} <= UNAVAILABLE_CODES
    assert all(answer.retry_after for answer in answers)


@dataclass
class FaultRun:
    """What one fault under load showed: the answers, the probes, and the server before and after."""

    traffic: Traffic
    prober: HealthProber
    split: dict[int, int]
    began: float
    ended: float
    recovery: float | None
    workers: list[int]
    workers_after: list[int]
    gunicorn_log: str

    @property
    def during(self) -> list:
        return self.traffic.between(self.began, self.ended)

    def assert_survived(self, *, recovery_within: float) -> None:
        """/health within a second throughout, only JSON 503s during the fault, back in time, no worker lost."""
        assert self.prober.failures(within=HEALTH_WITHIN) == [], self.prober.describe_failures(
            within=HEALTH_WITHIN, origin=self.began
        )
        assert_only_unavailable_answers(self.during)
        assert set(self.traffic.statuses()) <= {200, 201, 503}
        assert self.recovery is not None
        assert self.recovery < recovery_within
        assert self.workers_after == self.workers, self.gunicorn_log


def under_fault(server, *, begin: Callable[[], None], end: Callable[[], None], seconds: float, recovery_within: float):
    """Run ``CLIENTS`` clients and a ``/health`` prober; ``begin()`` the fault, hold it ``seconds``, ``end()`` it."""
    workers = server.steady_workers()
    stop = threading.Event()
    with HealthProber(server.port, interval=1.0) as prober:
        load = in_background(lambda: api_traffic(server.port, clients=CLIENTS, until=stop))
        time.sleep(WARM_UP_SECONDS)
        split = connections_per_worker(server_port=server.app.port, pids=workers)
        begin()
        began = time.monotonic()
        time.sleep(seconds)
        # Taken before the fault is lifted, not after: a request waiting on the database is answered the
        # moment it lets go, possibly before this thread gets to read the clock, and is not during the fault.
        ended = time.monotonic()
        end()
        recovery = first_acknowledgement(server.port, within=recovery_within + 10)
        time.sleep(1)
        stop.set()
        traffic = load()
    return FaultRun(
        traffic=traffic,
        prober=prober,
        split=split,
        began=began,
        ended=ended,
        recovery=recovery,
        workers=workers,
        workers_after=sorted(server.worker_pids()),
        gunicorn_log=lines_of(server.output(), "gunicorn.error"),
    )


def describe(run: FaultRun, fault: str) -> None:
    during = run.during
    slowest = sorted(run.traffic.answers, key=lambda answer: answer.seconds)[-3:]
    print(f"\n{fault}, {CLIENTS} clients (per worker: {run.split}): health {run.prober.summary()}")
    print(
        f"during the fault: {len(during)} answers {dict(Counter(a.error_code for a in during))}; "
        f"slowest of the run {[(round(a.seconds, 2), a.status, a.error_code) for a in slowest]}; "
        f"recovery {run.recovery} s"
    )
    print(f"statuses over the whole run: {dict(run.traffic.statuses())}; workers {run.workers} -> {run.workers_after}")


@pytest.mark.slow
def test_table_lock_is_answered_with_503s_while_health_stays_up(database_url, server_env):
    with running_task(env=server_env(database_url)) as server, psycopg.connect(database_url) as locker:
        run = under_fault(
            server,
            begin=lambda: locker.execute("LOCK TABLE messaging_message IN ACCESS EXCLUSIVE MODE"),
            end=locker.rollback,
            seconds=LOCK_SECONDS,
            recovery_within=LOCK_RECOVERY_WITHIN,
        )

    describe(run, f"table lock {LOCK_SECONDS} s")
    run.assert_survived(recovery_within=LOCK_RECOVERY_WITHIN)


@pytest.mark.slow
def test_silent_database_is_answered_within_the_query_deadline(database_url, server_env):
    with (
        TcpRelay.for_url(database_url) as relay,
        running_task(env=server_env(relay.url_for(database_url))) as server,
    ):
        run = under_fault(
            server, begin=relay.stall, end=relay.resume, seconds=STALL_SECONDS, recovery_within=STALL_RECOVERY_WITHIN
        )

    describe(run, f"silent database {STALL_SECONDS} s ({relay.accepted} connections through the relay)")
    run.assert_survived(recovery_within=STALL_RECOVERY_WITHIN)
    # The query deadline, not only the bulkhead's refusals, ended the stalled requests.
    assert "database_unavailable" in {answer.error_code for answer in run.during}
    assert max(answer.seconds for answer in run.traffic.answers) < STALLED_ANSWER_WITHIN
