"""The query deadline's clock: an action runs once its time has passed, never after ``cancel()``, in every process."""

import os
import socket
import threading
import time

from project.query_deadlines import DeadlineClock, shut_down_descriptor


def test_an_action_runs_once_its_deadline_has_passed():
    clock = DeadlineClock()
    ran = threading.Event()
    set_at = time.monotonic()
    clock.call_after(0.1, ran.set)

    assert ran.wait(timeout=5)
    assert time.monotonic() - set_at >= 0.1


def test_a_cancelled_deadline_never_runs_and_later_ones_still_do():
    clock = DeadlineClock()
    ran = []
    clock.call_after(0.05, lambda: ran.append("cancelled")).cancel()
    done = threading.Event()
    clock.call_after(0.1, lambda: (ran.append("kept"), done.set()))

    assert done.wait(timeout=5)
    assert ran == ["kept"]


def test_deadlines_run_in_time_order_whatever_the_order_they_were_set_in():
    clock = DeadlineClock()
    ran = []
    done = threading.Event()
    clock.call_after(0.3, lambda: (ran.append(3), done.set()))
    clock.call_after(0.1, lambda: ran.append(1))
    clock.call_after(0.2, lambda: ran.append(2))

    assert done.wait(timeout=5)
    assert ran == [1, 2, 3]


def test_a_failing_action_does_not_stop_the_clock():
    clock = DeadlineClock()
    done = threading.Event()
    clock.call_after(0.01, lambda: 1 / 0)
    clock.call_after(0.05, done.set)

    assert done.wait(timeout=5)


def test_shutting_a_descriptor_wakes_a_thread_blocked_reading_it():
    clock = DeadlineClock()
    server, client = socket.socketpair()
    with server, client:
        clock.call_after(0.1, lambda: shut_down_descriptor(server.fileno(), socket.SHUT_RD))
        started = time.monotonic()
        server.settimeout(5)

        assert server.recv(1) == b""
        assert time.monotonic() - started < 2


def test_a_descriptor_is_shut_down_through_a_duplicate_and_stays_open_for_its_owner():
    server, client = socket.socketpair()
    with server, client:
        shut_down_descriptor(server.fileno())

        assert client.recv(1) == b""  # the peer sees the connection end
        assert os.fstat(server.fileno())  # the owner's descriptor is still open


def test_a_forked_child_runs_its_own_deadlines():
    """gunicorn forks workers from a master that may have set deadlines: the child needs a thread of its own."""
    clock = DeadlineClock()
    parent_ran = threading.Event()
    clock.call_after(0.01, parent_ran.set)
    assert parent_ran.wait(timeout=5)

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and exits
        child_ran = threading.Event()
        clock.call_after(0.01, child_ran.set)
        os.write(write_end, b"1" if child_ran.wait(timeout=5) else b"0")
        os._exit(0)
    os.close(write_end)
    try:
        assert os.read(read_end, 1) == b"1"
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
