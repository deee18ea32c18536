"""New connections to gunicorn (the proxy's upstream connections) are spread over the workers by the kernel:
one worker never takes a whole burst."""

import socket

from tests.support.tcp_states import connections_per_worker

BURST = 32


def test_a_burst_of_connections_is_spread_over_both_workers(server):
    """Each worker listens on its own socket (reuse_port): no worker takes a whole burst of new connections."""
    workers = server.steady_workers()
    burst = [socket.create_connection(("127.0.0.1", server.app.port), timeout=5) for _ in range(BURST)]
    try:
        # Accepted once each has been served a request: until then a connection is in no worker.
        for connection in burst:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for connection in burst:
            assert connection.recv(1024).startswith(b"HTTP/1.1 200")
        split = connections_per_worker(
            server_port=server.app.port, pids=workers, client_ports={c.getsockname()[1] for c in burst}
        )
    finally:
        for connection in burst:
            connection.close()

    assert split is not None, "/proc does not show the server's sockets to this user"
    print(f"\n{BURST} connections per worker: {split}")
    # A fair coin puts fewer than 4 of 32 on one side (either side) about once in 390,000 bursts.
    assert min(split.values()) >= 4
