"""Removing a disposable environment: its stacks in reverse dependency order, and an honest list of what stays."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deploy.bluegreen.events import Event, Level, Progress
from deploy.config import EnvironmentConfig
from deploy.provision.assembly import Assembly, retained_resources
from deploy.provision.cdk import CdkCli, assembly_prepared, destroy_argv
from deploy.provision.errors import ProvisionInterruptedError, RefusedError, StackStateError
from deploy.provision.gateways import ProvisionGateways
from deploy.provision.process import elapsed_text

# What outlives the stacks whatever their templates say: shared by the account, or made outside CloudFormation.
ALWAYS_KEPT = (
    "the CDK bootstrap stack CDKToolkit (shared by every CDK app of the account and region)",
    "the service-linked roles of ECS, Application Auto Scaling, ELB and RDS (shared by the account)",
    "task definition revisions registered by releases (bluegreen_deploy registers them outside CloudFormation)",
)


@dataclass(kw_only=True)
class TeardownResult:
    account: str
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    dry_run: bool = False
    elapsed_seconds: float = 0.0


def teardown_refusal(config: EnvironmentConfig) -> str | None:
    """Why ``config`` may not be torn down by this command, or ``None`` when it is disposable."""
    if config.disposable:
        return None
    return (
        f"{config.name} is not disposable (deploy/config.py): its stacks are termination-protected and its data "
        "is kept; teardown removes disposable environments only"
    )


class Teardown:
    def __init__(
        self,
        config: EnvironmentConfig,
        *,
        gateways: ProvisionGateways,
        cdk: CdkCli,
        assembly: Path | None,
        progress: Progress,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.aws = gateways
        self.cdk = cdk
        self.assembly_dir = assembly
        self.progress = progress
        self.clock = clock

    def run(self, *, dry_run: bool = False) -> TeardownResult:
        if refusal := teardown_refusal(self.config):
            raise RefusedError(refusal)
        started = self.clock()
        self._emit(Level.STEP, f"Account and region of {self.config.name}")
        account = self.aws.account.account_id()
        self._emit(Level.INFO, f"  account {account}, region {self.config.region}")
        result = TeardownResult(account=account, dry_run=dry_run)
        with assembly_prepared(
            self.config, cdk=self.cdk, given=self.assembly_dir, account=account, progress=self.progress
        ) as assembly:
            for stack in reversed(assembly.stacks):
                self._remove(stack.name, assembly, result)
            result.kept = self._kept(assembly)
        result.elapsed_seconds = self.clock() - started
        return result

    def _remove(self, name: str, assembly: Assembly, result: TeardownResult) -> None:
        self._emit(Level.STEP, f"Stack {name}")
        state = self.aws.stacks.state(name)
        if state is None:
            self._emit(Level.INFO, "  does not exist")
            return
        if state.status.endswith("_IN_PROGRESS") and state.status != "REVIEW_IN_PROGRESS":
            raise StackStateError(
                f"stack {name} is {state.status}: wait for that operation to end "
                f"(aws cloudformation describe-stacks --stack-name {name}), then run teardown again"
            )
        if result.dry_run:
            self._emit(Level.INFO, f"  {state.status}; would delete it")
            result.removed.append(name)
            return
        self._emit(Level.INFO, f"  {state.status}; deleting")
        argv = destroy_argv(self.cdk.executable, assembly=assembly.directory, stack=name)
        try:
            finished = self.cdk.check(argv, awaited=f"cdk destroy {name}")
        except KeyboardInterrupt:
            raise ProvisionInterruptedError(
                f"interrupted: stopped `cdk destroy`. CloudFormation may still be deleting {name}: wait for it "
                f"(aws cloudformation describe-stacks --stack-name {name}), then run teardown again"
            ) from None
        if (after := self.aws.stacks.state(name)) is not None:
            raise StackStateError(f"stack {name} is still there ({after.status}) after `cdk destroy`: {after.reason}")
        self._emit(Level.SUCCESS, f"  deleted in {elapsed_text(finished.elapsed_seconds)}")
        result.removed.append(name)

    def _kept(self, assembly: Assembly) -> list[str]:
        kept = [
            f"{resource.resource_type} {resource.logical_id} of {resource.stack} "
            f"({'a final snapshot' if resource.policy == 'Snapshot' else resource.policy})"
            for resource in retained_resources(assembly)
        ]
        return kept + list(ALWAYS_KEPT)

    def _emit(self, level: Level, text: str) -> None:
        self.progress(Event(level, text))
