"""messaging.post_windows: one client's posts counted in a window that starts at its first post."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from messaging import post_windows
from messaging.models import ClientPostWindow
from messaging.post_windows import client_post_count

PERIOD = 60.0
START = 1_800_000_000.0


@pytest.fixture(autouse=True)
def _clearing_due():
    """Each test starts as a fresh process does: ended windows are cleared at its first count."""
    post_windows._last_cleared = 0.0


@pytest.mark.django_db
def test_posts_in_a_window_are_counted_and_the_window_left_shrinks():
    counts = [client_post_count(client="192.0.2.1", period=PERIOD, now=START + n) for n in range(3)]

    assert [c.posts for c in counts] == [1, 2, 3]
    assert [c.window_left for c in counts] == [PERIOD, PERIOD - 1, PERIOD - 2]


@pytest.mark.django_db
def test_the_count_starts_again_once_the_window_has_ended():
    for n in range(5):
        client_post_count(client="192.0.2.1", period=PERIOD, now=START + n)

    last_in_window = client_post_count(client="192.0.2.1", period=PERIOD, now=START + PERIOD - 0.001)
    first_of_next = client_post_count(client="192.0.2.1", period=PERIOD, now=START + PERIOD)

    assert last_in_window.posts == 6
    assert (first_of_next.posts, first_of_next.window_left) == (1, PERIOD)


@pytest.mark.django_db
def test_clients_are_counted_apart():
    client_post_count(client="192.0.2.1", period=PERIOD, now=START)

    assert client_post_count(client="2001:db8::1", period=PERIOD, now=START).posts == 1


@pytest.mark.django_db
def test_ended_windows_are_deleted_once_a_period_per_process():
    for n in range(3):
        client_post_count(client=f"192.0.2.{n}", period=PERIOD, now=START)
    client_post_count(client="192.0.2.9", period=PERIOD, now=START + PERIOD / 2)

    client_post_count(client="198.51.100.1", period=PERIOD, now=START + PERIOD + 1)
    after_one_period = set(ClientPostWindow.objects.values_list("client", flat=True))
    client_post_count(client="198.51.100.2", period=PERIOD, now=START + 2 * PERIOD)
    within_the_next = ClientPostWindow.objects.count()

    assert after_one_period == {"192.0.2.9", "198.51.100.1"}
    assert within_the_next == 3  # not cleared again until a period after the last clearing


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_from_many_threads_are_each_counted_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL: set DATABASE_URL to a postgres:// URL")
    threads, per_thread = 8, 25
    released = threading.Barrier(threads)

    def poster(_) -> list[int]:
        released.wait()
        try:
            return [client_post_count(client="192.0.2.1", period=PERIOD).posts for _ in range(per_thread)]
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        counts = [count for run in pool.map(poster, range(threads)) for count in run]

    assert sorted(counts) == list(range(1, threads * per_thread + 1))
