"""The request log: one JSON line per request, written straight to stdout in the shape of every other line.

Every request writes one line, so this is the one log line on the hot path: one dict, one ``orjson``
call and one ``write``, without ``logging``'s record, caller lookup, handler lock and formatter (see
docs/adr/0005-request-log.md). The line keeps the shape ``project.log_format`` gives the other lines
(time, level, logger, message, then the fields), so CloudWatch sees one format, and it is written only
when the ``project.request`` logger is enabled for INFO, so ``LOG_LEVEL`` still silences it.

One ``write`` per line on a file descriptor, not a buffered stream: a line under ``PIPE_BUF`` (4 KiB)
reaches the container's log pipe whole, never interleaved with another worker's.
"""

import logging
import os
import sys
import time

import orjson

from project.log_format import JSON_FORMATTER

LOGGER_NAME = "project.request"
MESSAGE = "request"
# The names the JSON formatter gives logging's own fields, so both kinds of line use the same keys.
_RENAMED = JSON_FORMATTER["rename_fields"]
TIME_KEY, LEVEL_KEY, LOGGER_KEY = _RENAMED["asctime"], _RENAMED["levelname"], _RENAMED["name"]
# logging's asctime, as the formatter writes it (it sets no date format): local time, the container's
# UTC, with milliseconds after a comma.
_TIME_FORMAT = logging.Formatter.default_time_format
_MSEC_FORMAT = logging.Formatter.default_msec_format
_logger = logging.getLogger(LOGGER_NAME)


def enabled() -> bool:
    """Whether the logging config lets ``project.request`` lines through (``LOG_LEVEL`` INFO or lower)."""
    return _logger.isEnabledFor(logging.INFO)


def write(fields: dict[str, object]) -> None:
    """Write one request line with ``fields`` after the common ones, to the process's stdout."""
    now = time.time()
    line = {
        TIME_KEY: _MSEC_FORMAT % (time.strftime(_TIME_FORMAT, time.localtime(now)), now % 1 * 1000),
        LEVEL_KEY: "INFO",
        LOGGER_KEY: LOGGER_NAME,
        "message": MESSAGE,
        **fields,
    }
    data = orjson.dumps(line, default=str, option=orjson.OPT_APPEND_NEWLINE)
    try:
        stream = sys.stdout
        # Whatever the stream still buffers was written before this line (a no-op when unbuffered).
        stream.flush()
        _write_all(stream.fileno(), data)
    except (OSError, ValueError):
        # A log that cannot be written (stdout closed, or not a file) must not fail the request it
        # describes, whose response is ready; logging's own handlers drop such a record the same way.
        return


def _write_all(fd: int, data: bytes) -> None:
    # A line longer than the pipe's buffer may be written in parts.
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
