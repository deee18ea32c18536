"""The one-off task's wait, with a fake clock: long waits say what is awaited and for how long."""

from deploy.bluegreen.events import Event
from deploy.operations.one_off import HEARTBEAT_SECONDS, _TaskWatch


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Gateways:
    """ECS answering RUNNING for a while, then STOPPED; no log stream to read."""

    def __init__(self, statuses: list[str]) -> None:
        self.ecs = self
        self._statuses = statuses

    def task(self, *, cluster: str, task_arn: str) -> dict:
        return {"taskArn": task_arn, "lastStatus": self._statuses.pop(0)}


def test_a_long_wait_reports_the_status_elapsed_time_and_what_is_awaited():
    clock = Clock()
    events: list[Event] = []
    polls = int(HEARTBEAT_SECONDS / 10) * 2 + 1
    watch = _TaskWatch(
        Gateways(["PENDING"] + ["RUNNING"] * polls + ["STOPPED"]),
        cluster="c",
        task_arn="arn:aws:ecs:r:1:task/c/abc",
        stream=None,
        progress=events.append,
        output=print,
    )

    task = watch.until_stopped(timeout_seconds=3600, poll_interval=10, sleep=clock.sleep, clock=clock)

    assert task["lastStatus"] == "STOPPED"
    texts = [event.text for event in events]
    assert texts[0] == "  task abc: PENDING (0 s), waiting for it to stop"
    assert texts[1] == "  task abc: RUNNING (10 s), waiting for it to stop"
    assert f"  task abc: still RUNNING ({10 + HEARTBEAT_SECONDS} s), waiting for it to stop" in texts
    assert texts[-1] == f"  task abc: STOPPED ({10 * (polls + 1)} s)"
