"""``manage.py status``: the service at a glance, and why its last tasks stopped."""

from __future__ import annotations

from deploy.operations.cli import OperationsCommand
from deploy.operations.status import STOPPED_SHOWN, service_status, status_lines


class Command(OperationsCommand):
    help = "Show tasks and what they run, a deployment in progress, target health, alarms and stopped tasks."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stopped",
            type=int,
            default=STOPPED_SHOWN,
            metavar="N",
            help=f"How many of the last stopped tasks to show (default {STOPPED_SHOWN}).",
        )

    def operate(self, config, *, gateways, **options):
        status = service_status(config, gateways=gateways, stopped_shown=options["stopped"])
        for line in status_lines(status):
            self.stdout.write(line)
