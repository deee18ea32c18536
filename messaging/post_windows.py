"""The post limit's counter: posts per client address in a window, counted atomically in the database."""

import time
from dataclasses import dataclass
from functools import cache

from django.db import connection

from messaging.models import ClientPostWindow

# When this process last deleted ended windows (Unix time); each process does it at most once a period.
_last_cleared = 0.0


@dataclass(frozen=True)
class CountedPost:
    # Posts counted in the client's current window, this one included.
    posts: int
    # Seconds until that window ends and the count starts again.
    window_left: float


@dataclass(frozen=True)
class Allowance:
    """At most ``posts`` posts of ``client`` in a window of ``period`` seconds."""

    client: str
    posts: int
    period: float


def client_post_count(*, client: str, period: float, now: float | None = None) -> CountedPost:
    """Count one post of ``client`` in its window of ``period`` seconds; return the window's count so far.

    One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (``count_sql``): the database serialises
    concurrent posts of one client on its row, so no count is lost whichever worker, thread or task takes
    them (a read then a write, as DRF's cache-based throttles do, loses counts between processes).
    """
    now = time.time() if now is None else now
    with connection.cursor() as cursor:
        cursor.execute(count_sql(connection.vendor), count_params(client=client, period=period, now=now))
        posts, window_start = cursor.fetchone()
    return CountedPost(posts=posts, window_left=window_start + period - now)


def count_params(*, client: str, period: float, now: float) -> list:
    """The parameters of ``count_sql`` for one post of ``client`` at ``now``; first clears ended windows
    if this process has not for a period.

    A window starts at a client's first post after the last one ended, so a run of posts is never split
    by a clock boundary. Time is the task's clock: tasks keep theirs synchronised (Amazon Time Sync on
    Fargate).
    """
    expired = now - period
    _clear_ended_windows(before=expired, period=period, now=now)
    return [client, now, expired, expired]


def _clear_ended_windows(*, before: float, period: float, now: float) -> None:
    """Delete the rows of windows that ended, at most once a ``period`` per process: the table holds
    about the clients of the last two periods, whatever the number of addresses that ever posted."""
    global _last_cleared
    if now - _last_cleared < period:
        return
    _last_cleared = now
    ClientPostWindow.objects.filter(window_start__lte=before).delete()


@cache
def count_sql(vendor: str) -> str:
    """The upsert that counts a post on ``vendor``'s databases (the key of the cache); both PostgreSQL and
    SQLite take it. It returns the window's ``posts`` and ``window_start``.

    ``SET`` expressions all see the row as it was, so the window's start and its count change together.
    """
    # Only the model's table name is formatted in; every value is a parameter.
    table = connection.ops.quote_name(ClientPostWindow._meta.db_table)
    return (
        f"INSERT INTO {table} AS counted (client, window_start, posts) VALUES (%s, %s, 1) "  # noqa: S608
        "ON CONFLICT (client) DO UPDATE SET "
        "posts = CASE WHEN counted.window_start > %s THEN counted.posts + 1 ELSE 1 END, "
        "window_start = CASE WHEN counted.window_start > %s THEN counted.window_start ELSE excluded.window_start END "
        "RETURNING posts, window_start"
    )
