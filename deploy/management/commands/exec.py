"""``manage.py exec``: a shell or a command in a running task, or a port forward to it (ECS Exec)."""

from __future__ import annotations

import shlex

from django.core.management.base import CommandError

from deploy.operations.cli import OperationsCommand
from deploy.operations.session import DEFAULT_SHELL, port_forward_parse, session_open


class Command(OperationsCommand):
    help = (
        "Open a shell (or run a command) in a running task through ECS Exec, or forward a local port to the "
        "task (--port-forward 8000:8080, then http://127.0.0.1:8000/admin/). Needs the session-manager-plugin."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--task", metavar="ID", help="This task (id or ARN) instead of one of the service's.")
        parser.add_argument(
            "--port-forward",
            metavar="LOCAL:REMOTE",
            help="Forward 127.0.0.1:LOCAL to the task's port REMOTE (default the container's) instead of a shell.",
        )
        parser.add_argument("command", nargs="*", help=f"After --: what to run (default {DEFAULT_SHELL}).")

    def operate(self, config, *, gateways, **options):
        forward = (
            port_forward_parse(options["port_forward"], default_remote=config.service.container_port)
            if options["port_forward"]
            else None
        )
        if forward and options["command"]:
            raise CommandError("give either --port-forward or a command, not both")
        code = session_open(
            config,
            gateways=gateways,
            task=options["task"],
            command=shlex.join(options["command"]) if options["command"] else DEFAULT_SHELL,
            port_forward=forward,
            progress=self.render,
        )
        if code:
            raise CommandError(f"the session ended with exit code {code}", returncode=code)
        self.stdout.write(self.style.SUCCESS("Session ended."))
