"""What every runbook command shares: ``--env``, the operator's AWS clients, events rendered, errors explained."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from deploy.bluegreen.errors import AwsCallError, DeployError
from deploy.bluegreen.events import Event, Level
from deploy.config import ENVIRONMENTS, EnvironmentConfig, get_config
from deploy.operations.errors import INTERRUPTED_EXIT_CODE
from deploy.operations.gateways import OperationsGateways, operations_gateways

CREDENTIAL_CODES = {"NoCredentialsError", "PartialCredentialsError", "NoRegionError"}
EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


def explain(error: DeployError, config: EnvironmentConfig) -> str:
    """The error's message, with what to do about it when the cause is the operator's own credentials."""
    text = str(error)
    if not isinstance(error, AwsCallError):
        return text
    if error.code in CREDENTIAL_CODES:
        return (
            f"no AWS credentials found ({error.code}): sign in first (aws sso login, aws configure, or "
            "AWS_PROFILE / AWS_ACCESS_KEY_ID in the environment)"
        )
    if error.code in EXPIRED_CODES:
        return f"{text}\nyour AWS credentials are expired or not valid: sign in again (aws sso login)"
    if error.code in DENIED_CODES:
        return f"{text}\nattach the managed policy {config.operator_policy_name} to your user or role"
    return text


class OperationsCommand(BaseCommand):
    """Base of the runbook commands: parses ``--env``, builds clients, turns our errors into ``CommandError``."""

    # Talks to AWS only: neither the database nor the app's checks matter.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--env", choices=sorted(ENVIRONMENTS), default="dev", help="Environment (default dev).")

    def handle(self, *args, **options):
        config = get_config(options["env"])
        # botocore logs where it found credentials at INFO: noise among the command's own output.
        logging.getLogger("botocore").setLevel(logging.WARNING)
        try:
            return self.operate(config, gateways=operations_gateways(config.region), **options)
        except DeployError as error:
            raise CommandError(explain(error, config), returncode=getattr(error, "exit_code", 1)) from error
        except KeyboardInterrupt:
            raise CommandError("interrupted", returncode=INTERRUPTED_EXIT_CODE) from None

    def operate(self, config: EnvironmentConfig, *, gateways: OperationsGateways, **options):
        raise NotImplementedError

    def render(self, event: Event) -> None:
        style = {
            Level.STEP: self.style.MIGRATE_HEADING,
            Level.SUCCESS: self.style.SUCCESS,
            Level.WARNING: self.style.WARNING,
            Level.ERROR: self.style.ERROR,
        }.get(event.level, str)
        self.stdout.write(style(event.text))
