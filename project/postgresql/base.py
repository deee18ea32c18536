"""Django's PostgreSQL backend, with a health check that looks at the socket instead of running ``SELECT 1``.

With persistent connections and ``CONN_HEALTH_CHECKS``, Django checks a connection before its first use
in every request; the stock check is a ``SELECT 1`` round trip, a second query on every request.

A server that ends a connection (a restart, a failover, an administrator's ``pg_terminate_backend``, an
idle timeout) says why and closes the socket, so an idle connection with anything to read is on its way
out; one with nothing to read would have answered the ``SELECT 1``. Neither check can see a peer that
vanished without a word: the query then fails and Django discards the connection after that request.
Figures: docs/adr/0004-socket-health-check.md.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

# The states in which a ``SELECT 1`` would succeed: idle, or idle inside a transaction block.
_USABLE_TRANSACTION_STATES = frozenset({pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS})


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in _USABLE_TRANSACTION_STATES:
            return False
        # Nothing arrives unasked on an idle connection of this app (it never LISTENs) but the server's
        # goodbye: any input, data or end of file, means the server has ended the connection. poll, not
        # select: a busy worker's descriptors can exceed select's limit of 1,024.
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN)
        return not poller.poll(0)
