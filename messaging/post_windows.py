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


def client_post_count(*, client: str, period: float, now: float | None = None) -> CountedPost:
    """Count one post of ``client`` in its window of ``period`` seconds; return the window's count so far.

    One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the database serialises concurrent posts of
    one client on its row, so no count is lost whichever worker, thread or task takes them (a read then
    a write, as DRF's cache-based throttles do, loses counts between processes). A window starts at a
    client's first post after the last one ended, so a run of posts is never split by a clock boundary.
    Time is the task's clock: tasks keep theirs synchronised (Amazon Time Sync on Fargate).
    """
    now = time.time() if now is None else now
    expired = now - period
    _clear_ended_windows(before=expired, period=period, now=now)
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(connection.vendor), [client, now, expired, expired])
        posts, window_start = cursor.fetchone()
    return CountedPost(posts=posts, window_left=window_start + period - now)


def _clear_ended_windows(*, before: float, period: float, now: float) -> None:
    """Delete the rows of windows that ended, at most once a ``period`` per process: the table holds
    about the clients of the last two periods, whatever the number of addresses that ever posted."""
    global _last_cleared
    if now - _last_cleared < period:
        return
    _last_cleared = now
    ClientPostWindow.objects.filter(window_start__lte=before).delete()


@cache
def _count_sql(vendor: str) -> str:
    """The upsert on ``vendor``'s databases (the key of the cache); both PostgreSQL and SQLite take it.

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
