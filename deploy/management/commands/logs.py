"""``manage.py logs``: the service's log lines, readable or raw, since a time or followed."""

from __future__ import annotations

from datetime import UTC, datetime

from deploy.management.commands.bluegreen_deploy import signals_as_interrupt
from deploy.operations.cli import OperationsCommand
from deploy.operations.environment import deployed_service
from deploy.operations.logs import DEFAULT_SINCE, log_events, log_events_follow, log_line, since_start


class Command(OperationsCommand):
    help = "Show the service's log lines (time, level, method, path, status, duration); --follow to keep going."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--since",
            default=DEFAULT_SINCE,
            metavar="WHEN",
            help=f"From this long ago (30s, 10m, 2h, 1d) or this ISO time (default {DEFAULT_SINCE}).",
        )
        parser.add_argument("--follow", "-f", action="store_true", help="Keep showing new lines until Ctrl-C.")
        parser.add_argument(
            "--filter",
            metavar="PATTERN",
            help='A CloudWatch Logs filter pattern: a word (ERROR), a phrase ("GET /messages"), or JSON '
            "({ $.status >= 500 }).",
        )
        parser.add_argument("--json", action="store_true", help="The lines as the app wrote them (JSON).")
        parser.add_argument(
            "--poll-interval", type=float, default=2, metavar="SECONDS", help="Between polls of --follow."
        )

    def operate(self, config, *, gateways, **options):
        start = since_start(options["since"], now=datetime.now(UTC))
        # The service must exist: an absent environment says so instead of showing no lines.
        deployed_service(config, gateways=gateways)
        group = config.log_group_name

        def emit(event):
            self.stdout.write(log_line(event, raw=options["json"]))

        if not options["follow"]:
            shown = 0
            for event in log_events(gateways.logs, group=group, start=start, pattern=options["filter"]):
                emit(event)
                shown += 1
            if not shown:
                # On stderr, so a pipe into jq or grep sees only log lines.
                self.stderr.write(f"No log lines since {start:%Y-%m-%d %H:%M:%S %Z}.")
            return
        try:
            with signals_as_interrupt():
                log_events_follow(
                    gateways.logs,
                    group=group,
                    start=start,
                    pattern=options["filter"],
                    poll_interval=options["poll_interval"],
                    emit=emit,
                )
        except KeyboardInterrupt:
            self.stderr.write("Stopped following the logs.")
