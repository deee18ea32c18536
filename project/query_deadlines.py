"""The query deadline's clock: one thread per process shuts a database socket when a query overruns.

A request thread blocked in ``recv`` on a database that stops answering without closing the connection
cannot be interrupted from Python. Shutting the socket from another thread can: the blocked call returns
at once with an error, and the request answers 503 instead of waiting for the kernel's TCP timeouts
(ADR 0007). Clients never block a request thread: the task's proxy hands gunicorn complete requests.

Actions run on the deadline thread while it holds the lock that ``Deadline.cancel`` takes, so once
``cancel()`` returns the action has either finished or will never run: a socket is never shut after its
owner has moved on (and its descriptor may name another connection). Actions must not block.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Deadline:
    __slots__ = ("_clock", "action", "cancelled")

    def __init__(self, clock: DeadlineClock, action: Callable[[], None]) -> None:
        self._clock = clock
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        with self._clock.lock:
            self.cancelled = True


class DeadlineClock:
    """A heap of deadlines served by one daemon thread, started lazily in each process.

    gunicorn forks its workers from a master that loaded the app; a thread does not survive a fork, so a
    child starts afresh: new lock, no deadlines of its parent's, and a thread of its own at its first
    deadline.
    """

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self.lock = threading.Lock()
        self._wakeup = threading.Condition(self.lock)
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._running = False

    def call_at(self, when: float, action: Callable[[], None]) -> Deadline:
        """Run ``action`` at ``when`` (``time.monotonic()``) unless the returned deadline is cancelled."""
        deadline = Deadline(self, action)
        with self.lock:
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="deadlines", daemon=True).start()
            heapq.heappush(self._heap, (when, next(self._order), deadline))
            if self._heap[0][2] is deadline:
                self._wakeup.notify()
        return deadline

    def call_after(self, seconds: float, action: Callable[[], None]) -> Deadline:
        return self.call_at(time.monotonic() + seconds, action)

    def _run(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].cancelled or self._heap[0][0] <= now):
                    _, _, deadline = heapq.heappop(self._heap)
                    if not deadline.cancelled:
                        deadline.cancelled = True
                        self._run_action(deadline.action)
                self._wakeup.wait(self._heap[0][0] - now if self._heap else None)

    @staticmethod
    def _run_action(action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            logger.exception("a deadline action failed")


# One clock per process, shared by every query deadline.
clock = DeadlineClock()


def shut_down_descriptor(fd: int, how: int = socket.SHUT_RDWR) -> None:
    """Shut down the socket behind descriptor ``fd`` (one owned by a library, such as libpq's).

    A shutdown acts on the connection, not the descriptor: it is applied through a duplicate, and the
    owner's descriptor stays open for the owner to close.
    """
    with contextlib.suppress(OSError), socket.socket(fileno=os.dup(fd)) as duplicate:
        duplicate.shutdown(how)
