"""The admin's queries on a large table, by their PostgreSQL plans: no page scans the messages table.

Every statement a page sends that touches the table is explained with PostgreSQL's own choice of plan
(nothing is switched off to steer it) after ANALYZE, as autovacuum keeps a production table analyzed.
"""

import contextlib
import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/message/"
ROWS = 100_000
# One message every 5 minutes: the rows span the last 347 days, so every date filter has rows to find.
SPACING_MINUTES = 5
# No page may read more than this many of the table's rows (a Seq Scan, or an index walked far past
# what the page shows, would): a fifth of the table, far more than any page here needs.
MOST_ROWS_READ = ROWS // 5
SEED = """
INSERT INTO messaging_message (sender, content, created_at)
SELECT 'user' || (n %% 500),
       (ARRAY['Hello', 'Lunch at noon?', 'Meeting moved', 'Nice weather', 'Train is late', 'Coffee later',
              'Report is ready', 'See you at the weekend'])[1 + n %% 8]
       || ', note ' || n || CASE WHEN n %% 1000 = 7 THEN ' from the lighthouse' ELSE '' END,
       now() - (%(rows)s - n) * %(spacing)s * interval '1 minute'
FROM generate_series(1, %(rows)s) AS n
"""
# Five messages of a sender who wrote long ago: its filter must not walk the table from the newest row.
SEED_OLD_SENDER = """
INSERT INTO messaging_message (sender, content, created_at)
SELECT 'old-timer', 'written long ago ' || n, now() - interval '300 days' + n * interval '1 minute'
FROM generate_series(1, 5) AS n
"""


@pytest.fixture(scope="module")
def large_table(django_db_setup, django_db_blocker):
    """ROWS messages, committed and analyzed, for this module's tests; removed after them."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's: set DATABASE_URL to a postgres:// URL")
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(SEED, {"rows": ROWS, "spacing": SPACING_MINUTES})
            cursor.execute(SEED_OLD_SENDER)
            cursor.execute("VACUUM ANALYZE messaging_message")
        yield
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE messaging_message")


@contextlib.contextmanager
def statements_on_messages():
    """The (sql, params) of every statement sent inside the block that names the messages table."""
    captured = []

    def record(execute, sql, params, many, context):
        if "messaging_message" in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield captured


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def scans_of_messages(sql: str, params) -> list[dict]:
    """The plan's nodes that read the messages table; run (ANALYZE) for a read, only planned for a write."""
    analyze = sql.lstrip().upper().startswith("SELECT")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON{', ANALYZE' if analyze else ''}) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [node for node in plan_nodes(plan[0]["Plan"]) if node.get("Relation Name") == "messaging_message"]


def rows_read(node: dict) -> int:
    loops = node.get("Actual Loops", 1)
    return (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops


def assert_served_by_indexes(statements) -> None:
    assert statements, "the page sent no statement on the messages table"
    for sql, params in statements:
        scans = scans_of_messages(sql, params)
        described = f"{sql} with {params}: {[(node['Node Type'], node.get('Index Name')) for node in scans]}"
        assert all(node["Node Type"] != "Seq Scan" for node in scans), described
        assert sum(rows_read(node) for node in scans) <= MOST_ROWS_READ, described


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def now_minus(days: int) -> str:
    return (timezone.now() - datetime.timedelta(days=days)).isoformat()


LIST_PAGES = {
    "the list": {},
    "its second page": {"p": "2"},
    "a page 10,000 rows deep": {"p": "200"},
    "today": {"created_at__gte": now_minus(1)},
    "the past 7 days": {"created_at__gte": now_minus(7)},
    "this year (most of the table)": {"created_at__gte": now_minus(400)},
    "one day 200 days ago": {"created_from": days_ago(200), "created_to": days_ago(200)},
    "everything up to 300 days ago": {"created_to": days_ago(300)},
    "a month ago, its second page": {"created_from": days_ago(40), "created_to": days_ago(30), "p": "2"},
    "a sender": {"sender": "user42"},
    "a sender who wrote long ago": {"sender": "old-timer"},
    "a sender within a date range": {"sender": "user42", "created_from": days_ago(100), "created_to": days_ago(50)},
    "search by a sender prefix": {"q": "user42"},
    "search by a short sender prefix": {"q": "us"},
    "search by a rare word": {"q": "lighthouse"},
    "search by a common word": {"q": "coffee"},
    "search by two words": {"q": "weekend lighthouse"},
    "search matching nothing": {"q": "zeppelin"},
    "search within a date range": {"q": "coffee", "created_from": days_ago(200), "created_to": days_ago(190)},
}


@pytest.mark.parametrize("params", LIST_PAGES.values(), ids=LIST_PAGES.keys())
def test_list_pages_use_indexes(large_table, admin_client, params):
    with statements_on_messages() as statements:
        response = admin_client.get(LIST, params)

    assert response.status_code == 200
    assert_served_by_indexes(statements)


@pytest.fixture
def old_message_id(large_table) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM messaging_message WHERE sender = 'old-timer' ORDER BY id LIMIT 1")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_a_message_s_pages_use_indexes(admin_client, old_message_id, page):
    with statements_on_messages() as statements:
        response = admin_client.get(f"{LIST}{old_message_id}/{page}/")

    assert response.status_code == 200
    assert_served_by_indexes(statements)


def test_deleting_a_message_uses_indexes(admin_client, old_message_id):
    with statements_on_messages() as statements:
        response = admin_client.post(f"{LIST}{old_message_id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert_served_by_indexes(statements)


@pytest.mark.parametrize("confirmed", [False, True], ids=["confirmation page", "deletion"])
def test_deleting_selected_messages_uses_indexes(admin_client, large_table, confirmed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM messaging_message WHERE sender = 'user7' ORDER BY id LIMIT 10")
        ids = [row[0] for row in cursor.fetchall()]
    action = {"action": "delete_selected", "_selected_action": ids} | ({"post": "yes"} if confirmed else {})

    with statements_on_messages() as statements:
        response = admin_client.post(LIST, action)

    assert response.status_code == (302 if confirmed else 200)
    assert_served_by_indexes(statements)
