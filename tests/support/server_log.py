"""Reading a test server's output (JSON lines, ``project.log_format``) for what a failing test should show."""

from __future__ import annotations

REQUEST_LOGGER = "project.request"


def lines_of(output: str, logger: str, *, limit: int = 20) -> str:
    """The last ``limit`` lines ``logger`` wrote, e.g. ``gunicorn.error`` for worker boots, timeouts and exits."""
    lines = [line for line in output.splitlines() if f'"logger":"{logger}"' in line]
    return "\n".join(lines[-limit:])
