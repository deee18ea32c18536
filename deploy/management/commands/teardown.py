"""``manage.py teardown``: remove a disposable environment's stacks, and say what stays."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.bluegreen.errors import DeployError
from deploy.bluegreen.events import Event, Level
from deploy.config import ENVIRONMENTS, get_config
from deploy.management.commands.bluegreen_deploy import signals_as_interrupt
from deploy.management.commands.provision import confirm
from deploy.provision.cdk import DEFAULT_EXECUTABLE, CdkCli
from deploy.provision.gateways import provision_gateways
from deploy.provision.teardown import Teardown, TeardownResult, teardown_refusal


class Command(BaseCommand):
    help = "Delete every stack of a disposable environment (never prod), in reverse dependency order."

    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--env", choices=sorted(ENVIRONMENTS), default="dev", help="Environment (default dev).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be deleted; delete nothing.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--assembly", type=Path, metavar="DIR", help="A cloud assembly synthesized already (default: synthesize)."
        )
        parser.add_argument(
            "--cdk", default=str(DEFAULT_EXECUTABLE), metavar="PATH", help="The CDK CLI (default: the pinned one)."
        )

    def handle(self, *args, **options):
        config = get_config(options["env"])
        if refusal := teardown_refusal(config):
            raise CommandError(refusal)
        logging.getLogger("botocore").setLevel(logging.WARNING)
        if not options["dry_run"] and not options["yes"]:
            confirm(f"teardown deletes every stack of {config.name}, its database and images included", config.name)
        try:
            gateways = provision_gateways(config.region)
        except DeployError as error:
            raise CommandError(str(error)) from error
        teardown = Teardown(
            config,
            gateways=gateways,
            cdk=CdkCli(executable=options["cdk"], progress=self.render),
            assembly=options["assembly"],
            progress=self.render,
        )
        try:
            with signals_as_interrupt():
                result = teardown.run(dry_run=options["dry_run"])
        except DeployError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("interrupted") from None
        self.summarize(result, env=config.name)

    def render(self, event: Event) -> None:
        style = {
            Level.STEP: self.style.MIGRATE_HEADING,
            Level.SUCCESS: self.style.SUCCESS,
            Level.WARNING: self.style.WARNING,
            Level.ERROR: self.style.ERROR,
        }.get(event.level, str)
        self.stdout.write(style(event.text))

    def summarize(self, result: TeardownResult, *, env: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("What stays"))
        for line in result.kept:
            self.stdout.write(f"  {line}")
        if result.dry_run:
            removed = ", ".join(result.removed) or "nothing"
            self.stdout.write(self.style.SUCCESS(f"Dry run: would delete {removed}. Nothing was changed."))
        elif result.removed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Removed {len(result.removed)} stacks of {env} in {result.elapsed_seconds:.0f} s; "
                    f"provision --env {env} creates it again."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{env} has no stack in account {result.account}: nothing to remove."))
