"""``manage.py check_infra_update``: refuse a stack update that could cut traffic once releases run."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.config import ENVIRONMENTS, StackPart, get_config
from deploy.infra.update_check import update_problems


class Command(BaseCommand):
    help = (
        "Compare the ECS stack's deployed template with the synthesized one and refuse changes to the "
        "listeners or to service properties CodeDeploy owns."
    )

    def add_arguments(self, parser):
        parser.add_argument("--env", default="dev", choices=sorted(ENVIRONMENTS), help="Environment to check.")
        parser.add_argument(
            "--deployed",
            required=True,
            type=Path,
            help="The deployed template: aws cloudformation get-template --stack-name <ECS stack> "
            "--query TemplateBody > deployed.json",
        )
        parser.add_argument(
            "--assembly", default="cdk.out", type=Path, help="Cloud assembly written by synth_infra (default: cdk.out)."
        )

    def handle(self, *args, env, deployed, assembly, **options):
        stack = get_config(env).stack_name(StackPart.SERVICE)
        new = _read_template(assembly / f"{stack}.template.json", hint=f"run synth_infra --env {env} first")
        old = _read_template(deployed, hint="save it with aws cloudformation get-template")
        problems = update_problems(old, new)
        if problems:
            for problem in problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{stack}: {len(problems)} change(s) could cut traffic or fail under CodeDeploy; do not deploy "
                "this update (docs/deploy.md, Infrastructure updates)"
            )
        self.stdout.write(self.style.SUCCESS(f"{stack}: the update leaves the listeners and the service to CodeDeploy"))


def _read_template(path: Path, *, hint: str) -> dict:
    try:
        template = json.loads(path.read_text())
    except FileNotFoundError:
        raise CommandError(f"no template at {path}: {hint}") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not a JSON template ({error}): {hint}") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise CommandError(f"{path} has no Resources: {hint}")
    return template
