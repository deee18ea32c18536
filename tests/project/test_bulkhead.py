"""The bulkhead: a worker's database slots are one fewer than its threads, a request without a slot is a
JSON 503 with Retry-After, and a query past its deadline fails and leaves no broken connection behind."""

import threading
import time

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from project.bulkhead import BUSY_RETRY_AFTER_SECONDS, DatabaseBulkheadMiddleware, database_slots
from project.runtime import DEFAULT_WORKER_THREADS


@pytest.mark.parametrize(("threads", "slots"), [(1, 1), (2, 1), (4, 3), (8, 7)])
def test_one_thread_per_worker_is_kept_from_database_work(threads, slots):
    assert database_slots(threads) == slots


@pytest.fixture
def held_slots(monkeypatch, settings):
    """A bulkhead (0.2 s wait) whose every slot is held by a request until ``release`` is set."""
    settings.BULKHEAD_WAIT_SECONDS = 0.2
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    release = threading.Event()
    entered = threading.Semaphore(0)

    def view(request):
        if request.path == "/held":
            entered.release()
            release.wait(timeout=10)
        return HttpResponse("done")

    bulkhead = DatabaseBulkheadMiddleware(view)
    # As if the worker had been idle since long before these requests came.
    bulkhead.last_moved -= 600
    holders = [
        threading.Thread(target=bulkhead, args=(RequestFactory().get("/held"),))
        for _ in range(database_slots(DEFAULT_WORKER_THREADS))
    ]
    for holder in holders:
        holder.start()
    for _ in holders:
        assert entered.acquire(timeout=5)
    yield bulkhead, release
    release.set()
    for holder in holders:
        holder.join(timeout=5)


def timed(bulkhead):
    started = time.monotonic()
    response = bulkhead(RequestFactory().get("/messages"))
    return response, time.monotonic() - started


def test_while_no_slot_is_given_back_requests_are_refused_with_a_503_and_retry_after(held_slots):
    bulkhead, release = held_slots
    first, first_waited = timed(bulkhead)
    time.sleep(0.1)
    later, later_waited = timed(bulkhead)

    for refused in (first, later):
        assert refused.status_code == 503
        assert refused["Retry-After"] == str(BUSY_RETRY_AFTER_SECONDS)
        assert refused.content == (
            b'{"type":"server_error","errors":[{"code":"server_busy",'
            b'"detail":"The server is busy; try again shortly.","attr":null}]}'
        )
    # The first waited for a slot up to the wait; once no slot has moved for that long, none waits:
    # its thread is free again at once, for /health queued behind it.
    assert first_waited <= 0.2 + 0.1
    assert later_waited < 0.05
    release.set()


def test_a_request_waits_for_a_slot_given_back_within_the_wait_even_after_an_idle_spell(held_slots):
    bulkhead, release = held_slots
    threading.Timer(0.1, release.set).start()

    served, waited = timed(bulkhead)

    assert served.content == b"done"
    assert 0.05 <= waited < 0.2


@pytest.mark.django_db(transaction=True)
def test_a_query_past_its_deadline_fails_and_its_connection_is_discarded():
    if connection.vendor != "postgresql":
        pytest.skip("the query deadline shuts a PostgreSQL connection's socket; SQLite has none")

    def slow_query(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(3)")
        return HttpResponse("unreachable")

    bulkhead = DatabaseBulkheadMiddleware(slow_query)
    bulkhead.query_deadline_seconds = 0.2
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError):
            bulkhead(RequestFactory().get("/messages"))
        failed_after = time.monotonic() - started
        assert not connection.is_usable()
    finally:
        connection.close()

    assert 0.2 <= failed_after < 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_queries_within_their_deadline_are_untouched():
    def count(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM messaging_message")
            return HttpResponse(str(cursor.fetchone()[0]))

    assert DatabaseBulkheadMiddleware(count)(RequestFactory().get("/messages")).content == b"0"
