"""The server's side of loopback TCP connections, read from ``/proc`` (Linux): what a client cannot see itself.

A client that never reads cannot see the server close: the FIN waits behind the unread answer in the
server's send queue. The server's end shows it at once: it leaves ESTABLISHED the moment the server
shuts the socket down or closes it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

PROC_NET_TCP = Path("/proc/net/tcp")
ESTABLISHED = "01"


def server_end_state(*, server_port: int, client_port: int) -> str | None:
    """The kernel's state code (hex, "01" ESTABLISHED) of the server's end; None once it is gone."""
    for local, remote, state, _ in _entries():
        if local == server_port and remote == client_port:
            return state
    return None


def closed_by_server(*, server_port: int, client_port: int) -> bool:
    return server_end_state(server_port=server_port, client_port=client_port) != ESTABLISHED


def wait_closed_by_server(
    sockets: list[socket.socket], *, server_port: int, within: float, since: float
) -> dict[int, float]:
    """Watch the server's end of each client socket until ``within`` s after ``since``; when each left
    ESTABLISHED, in seconds from ``since``, by client port (a port still open is missing)."""
    closed: dict[int, float] = {}
    ports = [sock.getsockname()[1] for sock in sockets]
    while len(closed) < len(ports) and time.monotonic() - since < within:
        for port in ports:
            if port not in closed and closed_by_server(server_port=server_port, client_port=port):
                closed[port] = time.monotonic() - since
        time.sleep(0.05)
    return closed


def connections_per_worker(
    *, server_port: int, pids: list[int], client_ports: set[int] | None = None
) -> dict[int, int] | None:
    """How many established client connections on ``server_port`` (from ``client_ports`` only, if given)
    each process holds; None where /proc does not say (another user's descriptors, without root).

    Each worker listens on a socket of its own and the kernel spreads new connections over them by a hash,
    so a split is roughly even but never exact; a fault test reports it because it decides how many
    requests queue in one worker.
    """
    inodes = {
        inode
        for local, remote, state, inode in _entries()
        if local == server_port and state == ESTABLISHED and (client_ports is None or remote in client_ports)
    }
    try:
        return {pid: len(_socket_inodes(pid) & inodes) for pid in pids}
    except (PermissionError, FileNotFoundError):
        return None


def _entries() -> Iterator[tuple[int, int, str, str]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket."""
    for line in PROC_NET_TCP.read_text().splitlines()[1:]:
        fields = line.split()
        yield _port(fields[1]), _port(fields[2]), fields[3], fields[9]


def _port(address: str) -> int:
    return int(address.rpartition(":")[2], 16)


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        # A descriptor closed since the listing is simply not counted.
        with contextlib.suppress(FileNotFoundError):
            target = os.readlink(descriptor)
            if target.startswith("socket:["):
                found.add(target.removeprefix("socket:[").removesuffix("]"))
    return found
