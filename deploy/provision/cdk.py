"""The CDK CLI pinned in package.json, run on one cloud assembly: argv built by pure functions, run as a child.

Every command names the assembly directory as ``--app``, so the CLI deploys exactly what was synthesized
and read for the plan, never a second synthesis of its own.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.bluegreen.events import Event, Level, Progress
from deploy.config import EnvironmentConfig
from deploy.provision.assembly import Assembly, assembly_check, assembly_read
from deploy.provision.errors import CdkError, ProvisionInterruptedError
from deploy.provision.process import Finished, process_run

ROOT = Path(__file__).resolve().parents[2]
# Installed by `npm ci` from package-lock.json: the CLI whose cloud assembly schema matches aws-cdk-lib's.
DEFAULT_EXECUTABLE = ROOT / "node_modules" / ".bin" / "cdk"
# No notices fetched from the internet, output as plain lines: what a log and a progress callback want.
COMMON = ("--no-notices", "--no-color")
# `cdk diff --fail` exits 1 when the stack differs; anything else is a failure of the CLI itself.
DIFF_DIFFERS = 1


def bootstrap_argv(executable: str, *, assembly: Path, account: str, region: str) -> list[str]:
    return [executable, "bootstrap", f"aws://{account}/{region}", "--app", str(assembly), *COMMON]


def diff_argv(executable: str, *, assembly: Path, stack: str) -> list[str]:
    """A read-only template comparison: ``--method template`` makes no change set, unlike the default."""
    return [
        executable,
        "diff",
        stack,
        "--app",
        str(assembly),
        "--exclusively",
        "--method",
        "template",
        "--fail",
        *COMMON,
    ]


def deploy_argv(
    executable: str, *, assembly: Path, stack: str, parameters: Mapping[str, str] | None = None
) -> list[str]:
    """One stack, its dependencies left alone (provision deploys them first, in order), never asking."""
    argv = [executable, "deploy", stack, "--app", str(assembly), "--exclusively", "--require-approval", "never"]
    argv += ["--progress", "events", *COMMON]
    for name, value in (parameters or {}).items():
        argv += ["--parameters", f"{stack}:{name}={value}"]
    return argv


def destroy_argv(executable: str, *, assembly: Path, stack: str) -> list[str]:
    return [executable, "destroy", stack, "--app", str(assembly), "--exclusively", "--force", *COMMON]


def synth_argv(executable: str, *, output: Path, env: str) -> list[str]:
    """Synthesis by the CLI, which resolves the account from the credentials as ``cdk deploy`` always did."""
    app = f"{sys.executable} -m deploy.infra.app"
    return [executable, "synth", "--app", app, "--context", f"env={env}", "--output", str(output), "--quiet", *COMMON]


@dataclass(frozen=True, kw_only=True)
class CdkCli:
    executable: str
    progress: Progress

    def run(self, argv: list[str], *, awaited: str, show_output: bool = True) -> Finished:
        finished = process_run(argv, awaited=awaited, progress=self.progress, cwd=ROOT, show_output=show_output)
        if finished.returncode == 127 and not Path(self.executable).exists():
            raise CdkError(
                f"the CDK CLI is not at {self.executable}: run `npm ci` in the repository (package.json pins it)"
            )
        return finished

    def check(self, argv: list[str], *, awaited: str) -> Finished:
        finished = self.run(argv, awaited=awaited)
        if finished.returncode != 0:
            raise CdkError(f"`cdk {argv[1]}` exited {finished.returncode}: {_last_lines(finished.output)}")
        return finished

    def diff(self, argv: list[str], *, awaited: str) -> Finished | None:
        """The differences (the CLI's lines), or ``None`` when the stack is as the assembly has it."""
        finished = self.run(argv, awaited=awaited, show_output=False)
        if finished.returncode not in (0, DIFF_DIFFERS):
            raise CdkError(f"`cdk diff` exited {finished.returncode}: {_last_lines(finished.output)}")
        return finished if finished.returncode == DIFF_DIFFERS else None


def _last_lines(output: list[str], count: int = 5) -> str:
    lines = [line for line in output if line.strip()][-count:]
    return "\n  | ".join(["", *lines]) if lines else "(no output)"


@contextmanager
def assembly_prepared(
    config: EnvironmentConfig, *, cdk: CdkCli, given: Path | None, account: str, progress: Progress
) -> Iterator[Assembly]:
    """The assembly ``given`` (synthesized already, e.g. by CI), or one the CLI synthesizes now into a
    directory removed afterwards; checked to be for this account and region."""
    progress(Event(Level.STEP, "Cloud assembly"))
    workdir = None
    try:
        directory = given
        if directory is None:
            workdir = Path(tempfile.mkdtemp(prefix=f"cdk-{config.name}-"))
            directory = workdir / "cdk.out"
            try:
                cdk.check(synth_argv(cdk.executable, output=directory, env=config.name), awaited="cdk synth")
            except KeyboardInterrupt:
                raise ProvisionInterruptedError("interrupted during synthesis; nothing was changed") from None
        assembly = assembly_read(directory, stack_prefix=config.stack_name(""))
        assembly_check(assembly, account=account, region=config.region)
        order = " → ".join(stack.name.removeprefix(config.stack_name("")) for stack in assembly.stacks)
        progress(Event(Level.INFO, f"  {directory}: {order} (in the order of the manifest's dependencies)"))
        yield assembly
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
