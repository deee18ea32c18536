"""Ctrl-C and SIGTERM for a command that must clean up what it started: noted when they arrive, acted on
between AWS calls.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be: in the middle of the call
that starts a task, after the task exists but before its ARN is known (so nothing can stop it), or inside
a connection pool's lock, which the clean-up's own call then waits on for ever. Noted instead, the
interrupt is raised only where the caller checks for it, where what was started is known and the
clients are whole. A call in flight finishes first: botocore's timeouts bound it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

# CD runners cancel a job with SIGTERM, a person with Ctrl-C.
INTERRUPTING_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# How often a sleep looks for a noted interrupt: the longest an operator waits after Ctrl-C between calls.
CHECK_SECONDS = 0.1


class NotedInterrupts:
    """Whether SIGINT or SIGTERM arrived; raised as ``KeyboardInterrupt`` by ``check`` and ``sleep``."""

    def __init__(self) -> None:
        self.arrived = False
        self.raised = False

    def note(self, signum, frame) -> None:
        # A plain assignment: the handler runs between two bytecodes of whatever the main thread was doing,
        # and taking a lock here could wait for one that very code holds.
        self.arrived = True

    def check(self) -> None:
        if self.arrived:
            self.raised = True
            raise KeyboardInterrupt

    def sleep(self, seconds: float) -> None:
        """``time.sleep``, cut short by an interrupt, which it then raises."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.check()
            time.sleep(min(left, CHECK_SECONDS))
        self.check()


@contextmanager
def interrupts_noted() -> Iterator[NotedInterrupts]:
    """Within the block, SIGINT and SIGTERM are only noted; the previous handlers come back after it. One
    that arrived after the block's last check is raised as it ends, so none is lost."""
    noted = NotedInterrupts()
    previous = {signum: signal.signal(signum, noted.note) for signum in INTERRUPTING_SIGNALS}
    try:
        yield noted
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if not noted.raised:
        noted.check()
