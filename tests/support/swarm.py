"""Many hostile connections from one thread: idle ones, and ones that drip a request one byte at a time.

A drip connection sends ``head`` at once, then ``drip`` one byte every ``interval`` seconds; when the
server cuts it, it is counted and, with ``reconnect``, replaced at once, as an attacker would. Every
socket is non-blocking and the run has a fixed end, so a misbehaving server fails a test, never hangs it.

    with Swarm(port, 128, head=POST_HEAD, drip=BODY, reconnect=True) as swarm:
        swarm.run(seconds=4)
    swarm.cut, swarm.opened
"""

from __future__ import annotations

import contextlib
import resource
import selectors
import socket
import time
from dataclasses import dataclass, field


def raise_open_files_limit(wanted: int) -> None:
    """Let this process hold ``wanted`` descriptors, within the hard limit (the swarm and its server's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < ceiling:
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


@dataclass
class _Peer:
    sock: socket.socket
    opened_at: float
    sent: int = 0
    next_send: float = 0.0


@dataclass
class Swarm:
    port: int
    count: int
    head: bytes = b""
    drip: bytes = b""
    interval: float = 1.0
    reconnect: bool = False
    opened: int = 0
    # Seconds each cut connection had lived when the server closed or reset it.
    cut_after: list[float] = field(default_factory=list)
    _peers: dict[int, _Peer] = field(default_factory=dict)
    _selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)

    @property
    def cut(self) -> int:
        return len(self.cut_after)

    @property
    def open_now(self) -> int:
        return len(self._peers)

    def __enter__(self) -> Swarm:
        raise_open_files_limit(self.count * 2 + 256)
        for _ in range(self.count):
            self._open()
        return self

    def __exit__(self, *exc_info) -> None:
        for peer in list(self._peers.values()):
            self._close(peer)
        self._selector.close()

    def run(self, *, seconds: float) -> None:
        """Drip, read and reconnect for ``seconds``."""
        end = time.monotonic() + seconds
        while (now := time.monotonic()) < end:
            for peer in list(self._peers.values()):
                if peer.sent < len(self.drip) and now >= peer.next_send:
                    if self._send(peer, self.drip[peer.sent : peer.sent + 1]):
                        peer.sent += 1
                    peer.next_send = now + self.interval
            for key, _ in self._selector.select(timeout=min(0.05, max(end - time.monotonic(), 0))):
                peer = self._peers.get(key.fd)
                if peer is not None:
                    self._read(peer)

    def _open(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        now = time.monotonic()
        peer = _Peer(sock, opened_at=now, next_send=now)
        self._peers[sock.fileno()] = peer
        self._selector.register(sock, selectors.EVENT_READ)
        self.opened += 1
        if self.head:
            self._send(peer, self.head)

    def _send(self, peer: _Peer, data: bytes) -> bool:
        """Whether ``data`` went out; a connection the server has cut is counted (and replaced)."""
        try:
            return peer.sock.send(data) == len(data)
        except BlockingIOError:
            return False
        except OSError:
            self._was_cut(peer)
            return False

    def _read(self, peer: _Peer) -> None:
        try:
            data = peer.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._was_cut(peer)

    def _was_cut(self, peer: _Peer) -> None:
        if peer.sock.fileno() not in self._peers:
            return
        self.cut_after.append(time.monotonic() - peer.opened_at)
        self._close(peer)
        if self.reconnect:
            self._open()

    def _close(self, peer: _Peer) -> None:
        self._peers.pop(peer.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(peer.sock)
        peer.sock.close()
