"""Progress of a release as plain events, so deep code never prints and the command decides how to show them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class Level(enum.Enum):
    STEP = "step"
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Event:
    level: Level
    text: str


Progress = Callable[[Event], None]


def progress_discard(event: Event) -> None:
    """A ``Progress`` that drops every event, for callers that only want the result."""
