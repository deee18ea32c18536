"""``manage.py bluegreen_deploy``: release an image to ECS through CodeDeploy blue/green, or roll back."""

from __future__ import annotations

import logging
import signal
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from deploy.bluegreen.errors import DeployError
from deploy.bluegreen.events import Event, Level
from deploy.bluegreen.gateways import aws_gateways
from deploy.bluegreen.interrupts import INTERRUPTING_SIGNALS
from deploy.bluegreen.plan import task_definition_name
from deploy.bluegreen.release import BlueGreenRelease, ReleaseOptions, ReleaseResult
from deploy.config import ENVIRONMENTS, get_config


class Command(BaseCommand):
    help = "Migrate, deploy an image blue/green through CodeDeploy, validate green on the test listener, roll back."

    # Talks to AWS only: neither the database nor the app's checks matter to a deploy.
    requires_system_checks = []

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--image", metavar="IMAGE_URI", help="Image to release, pinned by tag or digest.")
        action.add_argument(
            "--keep-image",
            action="store_true",
            help="Release the running image on the family's latest revision: how a CPU, memory, variable or "
            "secret change made in the stack reaches the tasks.",
        )
        action.add_argument(
            "--rollback",
            action="store_true",
            help="Deploy again the revision of the last succeeded deployment before the running one.",
        )
        action.add_argument(
            "--migrate",
            action="store_true",
            help="Run the migrations with the running revision and exit: the last step of a first deployment.",
        )
        parser.add_argument("--env", choices=sorted(ENVIRONMENTS), default="dev", help="Environment (default dev).")
        parser.add_argument("--dry-run", action="store_true", help="Show the plan; change nothing.")
        parser.add_argument(
            "--follow",
            action="store_true",
            help="If a deployment of the group is in progress, follow it to its end instead of refusing "
            "(alone: just follow it).",
        )
        parser.add_argument(
            "--test-listener-url", metavar="URL", help="Validate green here instead of the stack's TestListenerUrl."
        )
        access = parser.add_mutually_exclusive_group()
        access.add_argument(
            "--runner-address",
            metavar="IP",
            help="Open the test listener to this address during validation instead of asking the address echo URL.",
        )
        access.add_argument(
            "--address-echo-url",
            metavar="URL",
            help="Where to learn this runner's public address (answers it as text; default from the configuration).",
        )
        access.add_argument(
            "--no-open-test-listener",
            dest="open_test_listener",
            action="store_false",
            help="Leave the test listener's security group as it is: this command already runs where it reaches it.",
        )
        parser.add_argument(
            "--timeout", type=float, metavar="SECONDS", help="Deployment wait budget (default: from the group)."
        )
        parser.add_argument(
            "--migration-timeout", type=float, default=900, metavar="SECONDS", help="Stop the migration task after."
        )
        parser.add_argument(
            "--validation-timeout",
            type=float,
            default=120,
            metavar="SECONDS",
            help="How long green may take to pass its checks (each retried) before it is rolled back.",
        )
        parser.add_argument(
            "--rollback-timeout", type=float, default=600, metavar="SECONDS", help="How long to follow a rollback."
        )
        parser.add_argument(
            "--poll-interval", type=float, default=10, metavar="SECONDS", help="Between status checks (default 10)."
        )

    def handle(self, *args, **options):
        if not any(options[name] for name in ("image", "keep_image", "rollback", "migrate", "follow")):
            raise CommandError("give --image IMAGE_URI to release, --keep-image, --rollback, --migrate or --follow")
        config = get_config(options["env"])
        # botocore logs where it found credentials and endpoints at INFO: noise among the release's own output.
        logging.getLogger("botocore").setLevel(logging.WARNING)
        release = BlueGreenRelease(
            config,
            gateways=aws_gateways(config.region),
            options=ReleaseOptions(
                test_listener_url=options["test_listener_url"],
                timeout_seconds=options["timeout"],
                migration_timeout_seconds=options["migration_timeout"],
                validation_timeout_seconds=options["validation_timeout"],
                rollback_timeout_seconds=options["rollback_timeout"],
                poll_interval=options["poll_interval"],
                follow=options["follow"],
                open_test_listener=options["open_test_listener"],
                runner_address=options["runner_address"],
                address_echo_url=options["address_echo_url"],
            ),
            progress=self.render,
        )
        try:
            with signals_as_interrupt():
                if options["rollback"]:
                    result = release.rollback(dry_run=options["dry_run"])
                elif options["migrate"]:
                    result = release.migrate(dry_run=options["dry_run"])
                elif options["image"] or options["keep_image"]:
                    result = release.deploy(options["image"], dry_run=options["dry_run"])
                else:
                    result = release.follow()
        except DeployError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("interrupted") from None
        self.summarize(result)

    def render(self, event: Event) -> None:
        style = {
            Level.STEP: self.style.MIGRATE_HEADING,
            Level.SUCCESS: self.style.SUCCESS,
            Level.WARNING: self.style.WARNING,
            Level.ERROR: self.style.ERROR,
        }.get(event.level, str)
        self.stdout.write(style(event.text))

    def summarize(self, result: ReleaseResult) -> None:
        if result.dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: nothing was changed."))
            return
        if result.migrated:
            name = task_definition_name(result.task_definition or "")
            self.stdout.write(self.style.SUCCESS(f"Migrated; {name} serves on the migrated schema."))
            return
        if result.followed:
            if result.deployment_id:
                self.stdout.write(
                    self.style.SUCCESS(f"Deployment {result.deployment_id} succeeded; nothing of ours was deployed.")
                )
            return
        self.stdout.write(self.style.SUCCESS("Released."))
        self.stdout.write(f"  previous task definition: {task_definition_name(result.previous_task_definition)}")
        self.stdout.write(f"  new task definition:      {task_definition_name(result.task_definition or '')}")
        self.stdout.write(f"  deployment:               {result.deployment_id}")
        self.stdout.write(f"  time taken:               {result.elapsed_seconds:.1f} s")


# SIGINT is handled here rather than left to Python, which leaves it ignored in a process started in the
# background (`&`) with SIGINT ignored.
@contextmanager
def signals_as_interrupt():
    """Turn SIGTERM and SIGINT into ``KeyboardInterrupt``, so the deployment is stopped, not abandoned."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in INTERRUPTING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
