"""One synthesis per environment per test session, shared by every test that reads a template."""

from __future__ import annotations

import atexit
import dataclasses
import functools
import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from deploy.config import DomainConfig, EnvironmentConfig, StackPart, get_config

ENVS = ("dev", "prod")
# A test-only shape of prod: a domain in a hosted zone (HTTPS), and the account's GitHub OIDC provider
# already there. Synthesized once, like each environment, by the same function synth_infra calls.
HTTPS_VARIANT = "prod-https"
TEST_DOMAIN = DomainConfig(
    name="messages.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ", hosted_zone_name="example.com"
)
PARTS = (StackPart.NETWORK, StackPart.DATABASE, StackPart.REGISTRY, StackPart.SERVICE, StackPart.GITHUB)


@dataclass(frozen=True)
class Synthesis:
    env: str
    outdir: Path
    stdout: str

    def template_path(self, part: str) -> Path:
        return self.outdir / f"{config_of(self.env).stack_name(part)}.template.json"

    def template_json(self, part: str) -> dict:
        return _load_json(self.template_path(part))

    def manifest(self) -> dict:
        return _load_json(self.outdir / "manifest.json")


@functools.cache
def _load_json(path: Path) -> dict:
    return json.loads(path.read_text())


def config_of(env: str) -> EnvironmentConfig:
    """An environment's configuration, or the test-only variant's."""
    if env == HTTPS_VARIANT:
        return dataclasses.replace(get_config("prod"), domain=TEST_DOMAIN, create_github_oidc_provider=False)
    return get_config(env)


@functools.cache
def synthesized(env: str) -> Synthesis:
    """Run ``synth_infra`` itself, so the command's end-to-end path is what every template test reads; the
    variant, which no ``--env`` names, through the function the command calls."""
    outdir = Path(tempfile.mkdtemp(prefix=f"cdk-{env}-"))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    if env == HTTPS_VARIANT:
        from deploy.infra.app import synthesize

        synthesize(config=config_of(env), outdir=outdir)
        return Synthesis(env=env, outdir=outdir, stdout="")
    out = io.StringIO()
    call_command("synth_infra", "--env", env, "--output", str(outdir), stdout=out)
    return Synthesis(env=env, outdir=outdir, stdout=out.getvalue())
