"""A TCP relay in front of PostgreSQL that can go silent: the database as a frozen host or a partition sees it.

``stall()`` stops forwarding in both directions while every socket stays open: no reset, no FIN, and the
kernel keeps acknowledging what the server sends, so neither TCP keepalives nor ``tcp_user_timeout``
notice anything. Only a deadline of the app's own can end a query then. ``resume()`` lets the held bytes
through; connections opened meanwhile are accepted but get nothing back until then.

    with TcpRelay(("127.0.0.1", 5432)) as relay:
        url = relay.url_for(database_url)
        relay.stall()
        ...
        relay.resume()
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

ACCEPT_POLL_SECONDS = 0.2
CHUNK = 65536


class TcpRelay:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(ACCEPT_POLL_SECONDS)
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._accepter = threading.Thread(target=self._accept_loop, name="relay-accept", daemon=True)
        self._accepter.start()

    @classmethod
    def for_url(cls, database_url: str) -> TcpRelay:
        parts = urlsplit(database_url)
        return cls((parts.hostname or "127.0.0.1", parts.port or 5432))

    def url_for(self, database_url: str) -> str:
        """``database_url`` with its host and port replaced by the relay's."""
        parts = urlsplit(database_url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed.set()
        # Wake the pumps held by a stall: they find their sockets shut and end.
        self._flowing.set()
        with self._lock:
            sockets = list(self._sockets)
            self._sockets.clear()
        for sock in sockets:
            _close(sock)
        self._accepter.join(ACCEPT_POLL_SECONDS * 5)
        self._listener.close()

    def __enter__(self) -> TcpRelay:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            for sock in (client, server):
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._closed.is_set():
                    _close(client)
                    _close(server)
                    return
                self._sockets |= {client, server}
                self.accepted += 1
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), name="relay-pump", daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                # Checked before reading and again before sending: during a stall the bytes stay where they
                # are (in the kernel's buffers, or here), as they would on a frozen host.
                self._flowing.wait()
                data = source.recv(CHUNK)
                if not data:
                    break
                self._flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        # One side ended: end the pair, as the far side of a real connection would see it.
        with self._lock:
            self._sockets -= {source, target}
        _close(source)
        _close(target)


def _close(sock: socket.socket) -> None:
    # shutdown() first: close() alone does not wake a thread blocked in recv() on the same socket.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
