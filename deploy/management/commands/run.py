"""``manage.py run -- <command>``: a management command in a one-off task of the live revision."""

from __future__ import annotations

import getpass
import os
import sys

from django.core.management.base import CommandError

from deploy.bluegreen.interrupts import interrupts_noted
from deploy.operations.cli import OperationsCommand
from deploy.operations.one_off import one_off_run

SUPERUSER_PASSWORD = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 (a variable's name, not a password)
NO_INPUT = {"--noinput", "--no-input"}


def passed_names(manage_args: list[str], names: list[str]) -> list[str]:
    """The variables to pass: those named, and the superuser's password for ``createsuperuser --noinput``."""
    wanted = list(dict.fromkeys(names))
    if manage_args[:1] == ["createsuperuser"] and NO_INPUT & set(manage_args) and SUPERUSER_PASSWORD not in wanted:
        wanted.append(SUPERUSER_PASSWORD)
    return wanted


class Command(OperationsCommand):
    help = (
        "Run a management command (createsuperuser --noinput, showmigrations, clearsessions...) in a one-off task "
        "of the live revision; streams its log and exits with its exit code."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--pass-env",
            action="append",
            default=[],
            metavar="NAME",
            help="Give the task this variable from your environment, or asked for without echo if unset "
            f"(repeatable; {SUPERUSER_PASSWORD} is passed for createsuperuser --noinput).",
        )
        parser.add_argument(
            "--timeout", type=float, default=900, metavar="SECONDS", help="Stop the task after (default 900)."
        )
        parser.add_argument(
            "--poll-interval", type=float, default=3, metavar="SECONDS", help="Between status checks (default 3)."
        )
        parser.add_argument("manage_args", nargs="+", metavar="COMMAND", help="After --: the command and its options.")

    def operate(self, config, *, gateways, **options):
        manage_args = list(options["manage_args"])
        environment = {name: self.secret(name) for name in passed_names(manage_args, options["pass_env"])}
        with interrupts_noted() as interrupts:
            result = one_off_run(
                config,
                gateways=gateways,
                manage_args=tuple(manage_args),
                environment=environment,
                timeout_seconds=options["timeout"],
                poll_interval=options["poll_interval"],
                progress=self.render,
                output=self.stdout.write,
                sleep=interrupts.sleep,
                check_interrupt=interrupts.check,
            )
        self.stdout.write(self.style.SUCCESS(f"Task {result.task_id} exited 0."))

    def secret(self, name: str) -> str:
        """The value from the operator's environment, else typed at a prompt that does not echo it."""
        if value := os.environ.get(name):
            return value
        if not sys.stdin.isatty():
            raise CommandError(f"set {name} in your environment (no terminal to ask for it)")
        value = getpass.getpass(f"{name} (not echoed): ")
        if not value:
            raise CommandError(f"{name} is empty")
        return value
