"""``manage.py releases``: the environment's deployment history, rollbacks and their causes."""

from __future__ import annotations

from deploy.operations.cli import OperationsCommand
from deploy.operations.releases import DEFAULT_SHOWN, release_history, release_lines


class Command(OperationsCommand):
    help = "List the CodeDeploy deployments: status, revision, image and release, times, creator, rollbacks."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--limit", type=int, default=DEFAULT_SHOWN, metavar="N", help=f"How many (default {DEFAULT_SHOWN})."
        )

    def operate(self, config, *, gateways, **options):
        for line in release_lines(release_history(config, gateways=gateways, limit=options["limit"])):
            self.stdout.write(line)
