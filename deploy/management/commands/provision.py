"""``manage.py provision``: an environment from an empty account to a serving app; re-run, it converges."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.bluegreen.errors import DeployError
from deploy.bluegreen.events import Event, Level
from deploy.config import ENVIRONMENTS, EnvironmentConfig, get_config
from deploy.management.commands.bluegreen_deploy import signals_as_interrupt
from deploy.provision.cdk import DEFAULT_EXECUTABLE, CdkCli
from deploy.provision.gateways import provision_gateways, session_region
from deploy.provision.image import Docker, repository_uri
from deploy.provision.provisioner import Provisioner, ProvisionOptions, ProvisionResult


class Command(BaseCommand):
    help = "Create or converge an environment: service-linked roles, CDK bootstrap, stacks, first image, migration."

    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--env", choices=sorted(ENVIRONMENTS), default="dev", help="Environment (default dev).")
        parser.add_argument("--dry-run", action="store_true", help="Print the plan; make read calls only.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation (prod asks otherwise).")
        parser.add_argument(
            "--image", metavar="TAG_OR_URI", help="The first image, pushed already (default: this commit's tag)."
        )
        parser.add_argument(
            "--assembly", type=Path, metavar="DIR", help="A cloud assembly synthesized already (default: synthesize)."
        )
        parser.add_argument(
            "--cdk", default=str(DEFAULT_EXECUTABLE), metavar="PATH", help="The CDK CLI (default: the pinned one)."
        )
        parser.add_argument("--docker", default="docker", metavar="PATH", help="Docker, to build the first image.")
        parser.add_argument(
            "--service-url", metavar="URL", help="Check readiness here instead of at the load balancer's address."
        )
        parser.add_argument("--ready-timeout", type=float, default=900, metavar="SECONDS")
        parser.add_argument("--migration-timeout", type=float, default=900, metavar="SECONDS")
        parser.add_argument(
            "--poll-interval", type=float, default=10, metavar="SECONDS", help="Between checks (default 10)."
        )

    def handle(self, *args, **options):
        config = get_config(options["env"])
        logging.getLogger("botocore").setLevel(logging.WARNING)
        if not config.disposable and not options["dry_run"] and not options["yes"]:
            confirm(f"provision changes {config.name}, which serves real traffic", config.name)
        if (region := session_region()) and region != config.region:
            where = f"Your AWS region is {region}; {config.name} lives in {config.region}"
            self.render(Event(Level.WARNING, f"{where} (deploy/config.py): acting there."))
        try:
            gateways = provision_gateways(config.region)
        except DeployError as error:
            raise CommandError(str(error)) from error
        provisioner = Provisioner(
            config,
            gateways=gateways,
            cdk=CdkCli(executable=options["cdk"], progress=self.render),
            docker=Docker(executable=options["docker"], progress=self.render),
            options=ProvisionOptions(
                assembly=options["assembly"],
                image=options["image"],
                service_url=options["service_url"],
                ready_timeout_seconds=options["ready_timeout"],
                migration_timeout_seconds=options["migration_timeout"],
                poll_interval=options["poll_interval"],
            ),
            progress=self.render,
        )
        try:
            with signals_as_interrupt():
                result = provisioner.provision(dry_run=options["dry_run"])
        except DeployError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("interrupted") from None
        self.summarize(result, config=config)

    def render(self, event: Event) -> None:
        style = {
            Level.STEP: self.style.MIGRATE_HEADING,
            Level.SUCCESS: self.style.SUCCESS,
            Level.WARNING: self.style.WARNING,
            Level.ERROR: self.style.ERROR,
        }.get(event.level, str)
        self.stdout.write(style(event.text))

    def summarize(self, result: ProvisionResult, *, config: EnvironmentConfig) -> None:
        env = config.name
        if result.dry_run:
            changes = "; ".join(result.changes) or "nothing"
            self.stdout.write(self.style.SUCCESS(f"Dry run: would change {changes}. Nothing was changed."))
            return
        self.stdout.write(self.style.MIGRATE_HEADING("Next"))
        role = result.deploy_role_arn or "the GitHubOidc stack's DeployRoleArn output"
        self.stdout.write(f"  GitHub: create the environment {env} with the secret AWS_ROLE_ARN = {role}")
        self.stdout.write(
            f"  Alarms: aws sns subscribe --topic-arn {result.alarm_topic_arn} --protocol email "
            "--notification-endpoint oncall@example.com"
        )
        repository = repository_uri(account=result.account, region=result.region, repository=config.repository_name)
        self.stdout.write(f"  Releases: python manage.py bluegreen_deploy --env {env} --image {repository}:<tag>")
        changed = f"made {len(result.changes)} changes" if result.changes else "nothing changed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{env} serves at {result.url} (release {result.release or 'unnamed'}); {changed} in "
                f"{result.elapsed_seconds:.0f} s."
            )
        )


def confirm(what: str, answer: str) -> None:
    """Ask on the terminal for ``answer`` typed back; without a terminal, refuse rather than assume."""
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(f"{what}: no terminal to confirm on; pass --yes to go on without asking")
    try:
        typed = input(f"{what}. Type {answer} to go on: ")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("not confirmed; nothing was changed") from None
    if typed.strip() != answer:
        raise CommandError("not confirmed; nothing was changed")
