"""Nothing acknowledged is ever lost: 50 concurrent clients post 10,000 messages to the production server."""

import time
from collections import Counter

import psycopg
import pytest

from tests.support.load import lost_acknowledgements, post_messages, stored_messages
from tests.support.proxy import running_task

CLIENTS = 50
MESSAGES = 10_000


@pytest.mark.slow
def test_every_acknowledged_message_is_stored_once_exactly_as_sent(database_url, server_env):
    with psycopg.connect(database_url) as db:
        rows_before = db.execute("SELECT count(*) FROM messaging_message").fetchone()[0]
    with running_task(env=server_env(database_url)) as server:
        started = time.monotonic()
        run = post_messages(server.port, clients=CLIENTS, per_client=MESSAGES // CLIENTS)
        elapsed = time.monotonic() - started

        # Read back through the API: each client's messages are one page of its sender.
        listed = {}
        for client in range(CLIENTS):
            page = server.get(f"/messages?sender={run.sender(client)}&page_size=200").json()
            listed.update({item["id"]: (item["sender"], item["content"]) for item in page["results"]})

    with psycopg.connect(database_url) as db:
        rows_after = db.execute("SELECT count(*) FROM messaging_message").fetchone()[0]
        stored = stored_messages(db, run)

    print(f"\n{MESSAGES} posts by {CLIENTS} clients in {elapsed:.1f} s ({MESSAGES / elapsed:.0f}/s)")
    assert run.statuses() == Counter({201: MESSAGES})
    assert len({outcome.message_id for outcome in run.acknowledged}) == MESSAGES
    assert lost_acknowledgements(stored, run) == []
    assert lost_acknowledgements(listed, run) == []
    assert rows_after - rows_before == MESSAGES
    assert len({content for _, content in stored.values()}) == len(stored) == MESSAGES
