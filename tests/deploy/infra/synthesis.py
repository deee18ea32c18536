"""One synthesis per environment per test session, shared by every test that reads a template."""

from __future__ import annotations

import atexit
import functools
import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from deploy.config import StackPart, get_config

ENVS = ("dev", "prod")
PARTS = (StackPart.NETWORK, StackPart.DATABASE, StackPart.REGISTRY, StackPart.SERVICE, StackPart.GITHUB)


@dataclass(frozen=True)
class Synthesis:
    env: str
    outdir: Path
    stdout: str

    def template_path(self, part: str) -> Path:
        return self.outdir / f"{get_config(self.env).stack_name(part)}.template.json"

    def template_json(self, part: str) -> dict:
        return _load_json(self.template_path(part))

    def manifest(self) -> dict:
        return _load_json(self.outdir / "manifest.json")


@functools.cache
def _load_json(path: Path) -> dict:
    return json.loads(path.read_text())


@functools.cache
def synthesized(env: str) -> Synthesis:
    """Run ``synth_infra`` itself, so the command's end-to-end path is what every template test reads."""
    outdir = Path(tempfile.mkdtemp(prefix=f"cdk-{env}-"))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    out = io.StringIO()
    call_command("synth_infra", "--env", env, "--output", str(outdir), stdout=out)
    return Synthesis(env=env, outdir=outdir, stdout=out.getvalue())
