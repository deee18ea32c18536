"""``manage.py synth_infra``: write one environment's CloudFormation templates, offline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.config import ENVIRONMENTS, UnknownEnvironmentError, get_config


class Command(BaseCommand):
    help = "Synthesize the CDK stacks of one environment into a cloud assembly, without AWS credentials."

    def add_arguments(self, parser):
        parser.add_argument("--env", default="dev", choices=sorted(ENVIRONMENTS), help="Environment to synthesize.")
        parser.add_argument(
            "--output", default="cdk.out", type=Path, help="Directory of the cloud assembly (default: cdk.out)."
        )

    def handle(self, *args, env, output, **options):
        # Imported here: aws_cdk starts a Node.js process and must stay out of the web process.
        from deploy.infra.app import synthesize
        from deploy.infra.validation import InvalidConfigError

        try:
            config = get_config(env)
            result = synthesize(config=config, outdir=output)
        except (UnknownEnvironmentError, InvalidConfigError) as error:
            raise CommandError(str(error)) from error
        except RuntimeError as error:  # jsii reports CDK validation failures (cdk-nag findings) this way
            raise CommandError(f"synthesis of {env!r} failed: {error}") from error
        for stack in result.stacks:
            self.stdout.write(f"{stack.name}: {stack.resource_count} resources")
        self.stdout.write(
            self.style.SUCCESS(f"Synthesized {len(result.stacks)} stacks of {env!r} into {result.outdir}")
        )
