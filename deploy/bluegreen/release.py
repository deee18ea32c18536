"""The release recipe: resolve → validate → register → migrate → deploy → validate green → continue → wait."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from deploy.bluegreen.appspec import appspec_revision
from deploy.bluegreen.budget import BUFFER_MINUTES
from deploy.bluegreen.errors import (
    AwsCallError,
    DeploymentFailedError,
    DeploymentInProgressError,
    DeploymentTimeoutError,
    GreenValidationError,
    TargetMismatchError,
)
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import ACTIVE_STATUSES, Gateways
from deploy.bluegreen.history import own_deployment
from deploy.bluegreen.listener_access import (
    ListenerOpening,
    listener_leftovers_remove,
    listener_opened,
    rule_description,
)
from deploy.bluegreen.migration import migration_run
from deploy.bluegreen.plan import Plan, plan_lines, task_definition_name
from deploy.bluegreen.planning import appspec_for, plan_deploy, plan_migrate, plan_migration_task, plan_rollback
from deploy.bluegreen.runner_address import runner_address_find, runner_cidr
from deploy.bluegreen.target import Target, target_resolve
from deploy.bluegreen.taskdef import container_image, release_from_image
from deploy.bluegreen.validation import GreenChecks, green_validate
from deploy.bluegreen.watch import DeploymentWatcher, deployment_failure_reason, rollback_deployment_id
from deploy.config import EnvironmentConfig, StackOutput

# CodeDeploy may report a failed or stopped deployment before the rollback it started (rollbackInfo).
ROLLBACK_INFO_WAIT_SECONDS = 60
# How far back a deployment may have been created to be the one our failed CreateDeployment call made.
OWN_DEPLOYMENT_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class ReleaseOptions:
    test_listener_url: str | None = None
    # Overrides the budget derived from the deployment group.
    timeout_seconds: float | None = None
    migration_timeout_seconds: float = 900
    validation_timeout_seconds: float = 120
    rollback_timeout_seconds: float = BUFFER_MINUTES * 60
    poll_interval: float = 10
    # Follow a deployment already in progress instead of refusing to start.
    follow: bool = False
    # Open the test listener to this process's address for the validation (False: it reaches it already).
    open_test_listener: bool = True
    # That address, given instead of asked of the address echo URL (None: the configured one).
    runner_address: str | None = None
    address_echo_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseResult:
    deployment_id: str | None
    previous_task_definition: str
    task_definition: str | None
    elapsed_seconds: float
    dry_run: bool = False
    followed: bool = False
    # Only the migrations ran (--migrate): nothing was deployed.
    migrated: bool = False


class BlueGreenRelease:
    """One release of one environment; every method is a recipe of small steps reporting to ``progress``."""

    def __init__(
        self,
        config: EnvironmentConfig,
        *,
        gateways: Gateways,
        options: ReleaseOptions,
        progress: Progress,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.aws = gateways
        self.options = options
        self.progress = progress
        self.sleep = sleep
        self.clock = clock
        self.started = clock()
        self.watcher = DeploymentWatcher(
            gateways.codedeploy, progress=progress, poll_interval=options.poll_interval, sleep=sleep, clock=clock
        )

    def deploy(self, image: str | None, *, dry_run: bool = False) -> ReleaseResult:
        """Release ``image`` (``None``: the running one) on the family's latest revision."""
        if image is not None:
            release_from_image(image)  # refuse an untagged image before any call
        target = self._resolve()
        if busy := self._in_progress(target):
            return self._follow(target, busy)
        plan = self._plan_deploy(target, image=image)
        opening = self._test_listener_access(target, dry_run=dry_run)
        if dry_run:
            return self._result(plan, deployment_id=None, task_definition=None, dry_run=True)
        registered = self._register(plan)
        self._migrate(plan, self._migration_task_definition(plan.target, image=plan.image, release=plan.release))
        deployment_id = self._shift(plan, registered["taskDefinitionArn"], opening=opening)
        return self._result(plan, deployment_id=deployment_id, task_definition=registered["taskDefinitionArn"])

    def migrate(self, *, dry_run: bool = False) -> ReleaseResult:
        """Run the migrations with the running revision: the last step of an environment's first deployment."""
        target = self._resolve()
        self._in_progress(target)
        task_definition, _ = self.aws.ecs.task_definition(target.task_definition_arn)
        plan = plan_migrate(self.config, target=target, task_definition=task_definition)
        command = " ".join(plan.migrate_command or ())
        self._emit(Level.INFO, f"  {command} with {task_definition_name(target.task_definition_arn)}")
        if dry_run:
            return self._result(plan, deployment_id=None, task_definition=None, dry_run=True)
        image = container_image(task_definition, target.container)
        self._migrate(plan, self._migration_task_definition(target, image=image, release=plan.release))
        return self._result(plan, deployment_id=None, task_definition=target.task_definition_arn, migrated=True)

    def rollback(self, *, dry_run: bool = False) -> ReleaseResult:
        target = self._resolve()
        if busy := self._in_progress(target):
            return self._follow(target, busy)
        plan = self._plan_rollback(target)
        opening = self._test_listener_access(target, dry_run=dry_run)
        if dry_run:
            return self._result(plan, deployment_id=None, task_definition=plan.task_definition_arn, dry_run=True)
        self._emit(Level.WARNING, "Migrations are not reversed: the earlier release runs on the current schema.")
        deployment_id = self._shift(plan, plan.task_definition_arn or "", opening=opening)
        return self._result(plan, deployment_id=deployment_id, task_definition=plan.task_definition_arn)

    def follow(self) -> ReleaseResult:
        target = self._resolve()
        if busy := self._in_progress(target):
            return self._follow(target, busy)
        self._emit(Level.INFO, f"No deployment of {target.application}/{target.deployment_group} is in progress.")
        return ReleaseResult(
            deployment_id=None,
            previous_task_definition=target.task_definition_arn,
            task_definition=target.task_definition_arn,
            elapsed_seconds=self.clock() - self.started,
            followed=True,
        )

    # Steps, in recipe order.

    def _resolve(self) -> Target:
        self._emit(Level.STEP, f"Resolving {self.config.name}")
        target = target_resolve(self.config, gateways=self.aws, test_listener_url=self.options.test_listener_url)
        self._emit(
            Level.INFO, f"  {target.cluster}/{target.service} runs {task_definition_name(target.task_definition_arn)}"
        )
        return target

    def _in_progress(self, target: Target) -> str | None:
        active = self.aws.codedeploy.active_deployments(application=target.application, group=target.deployment_group)
        if active and not self.options.follow:
            raise DeploymentInProgressError(
                f"deployment {active[0]} of {target.application}/{target.deployment_group} is in progress; "
                "wait for it, or pass --follow to follow it"
            )
        return active[0] if active else None

    def _plan_deploy(self, target: Target, *, image: str | None) -> Plan:
        plan = plan_deploy(self.config, ecs=self.aws.ecs, target=target, image=image)
        self._emit_plan(plan)
        return plan

    def _plan_rollback(self, target: Target) -> Plan:
        plan = plan_rollback(self.config, ecs=self.aws.ecs, codedeploy=self.aws.codedeploy, target=target)
        self._emit_plan(plan)
        return plan

    def _test_listener_access(self, target: Target, *, dry_run: bool) -> ListenerOpening | None:
        """Find the address to open the test listener to, and remove rules earlier runs left, before
        anything is deployed: a wrong address must not cost a release."""
        self._emit(Level.STEP, "Test listener access")
        group = target.test_listener_security_group
        port = self.config.load_balancer.test_port
        opening = None
        if self.options.open_test_listener:
            if not group:
                raise TargetMismatchError(
                    f"stack {target.stack_name} has no {StackOutput.ALB_SECURITY_GROUP_ID} output to open the test "
                    "listener on: update the ECS stack (cdk deploy), or pass --no-open-test-listener"
                )
            address, source = runner_address_find(
                given=self.options.runner_address,
                echo_url=self.options.address_echo_url or self.config.load_balancer.runner_address_echo_url,
            )
            opening = ListenerOpening(group_id=group, port=port, cidr=runner_cidr(address))
            verb = "would open" if dry_run else "opens"
            self._emit(
                Level.INFO,
                f"  {verb} port {port} of {group} to {opening.cidr} (this runner, from {source}) during the "
                "validation only",
            )
        else:
            self._emit(Level.INFO, f"  port {port} is left as the stack has it: this runner must reach it already")
        if group:
            listener_leftovers_remove(self.aws.security_groups, group_id=group, progress=self.progress, dry_run=dry_run)
        return opening

    def _register(self, plan: Plan) -> dict[str, Any]:
        """Register the new revision; its description comes back with it, so it is never read back (a
        revision just registered may not be readable yet: ECS is eventually consistent)."""
        self._emit(Level.STEP, "Registering the new task definition revision")
        registered = self.aws.ecs.register(plan.register or {})
        self._emit(Level.SUCCESS, f"  registered {task_definition_name(registered['taskDefinitionArn'])}")
        return registered

    def _migration_task_definition(self, target: Target, *, image: str, release: str | None) -> dict[str, Any]:
        """The migration family's revision running ``image``, registered when the latest runs another one.

        The migrations run as the database's master user, whose secret only that family holds (ADR 0019).
        """
        latest, spec = plan_migration_task(
            self.config, ecs=self.aws.ecs, container=target.container, image=image, release=release
        )
        if spec is None:
            return latest
        registered = self.aws.ecs.register(spec)
        self._emit(Level.SUCCESS, f"  registered {task_definition_name(registered['taskDefinitionArn'])} (migrations)")
        return registered

    def _migrate(self, plan: Plan, task_definition: dict[str, Any]) -> None:
        self._emit(Level.STEP, "Running database migrations")
        try:
            migration_run(
                ecs=self.aws.ecs,
                logs=self.aws.logs,
                target=plan.target,
                task_definition=task_definition,
                command=plan.migrate_command or (),
                environment=self.config.service.migration_environment,
                timeout_seconds=self.options.migration_timeout_seconds,
                poll_interval=self.options.poll_interval,
                progress=self.progress,
            )
        except KeyboardInterrupt:
            raise DeploymentFailedError("interrupted during migrations; stopped the task; nothing deployed") from None
        self._emit(Level.SUCCESS, "  migrations applied")

    def _shift(self, plan: Plan, task_definition_arn: str, *, opening: ListenerOpening | None) -> str:
        """Create the deployment, validate green when it waits for approval, continue it and wait for success.

        From the CreateDeployment call on, an interruption stops the deployment, even one whose creation
        answer never arrived (found by its one-off description).
        """
        target = plan.target
        self._emit(Level.STEP, "Creating the CodeDeploy deployment")
        name = plan.release or task_definition_name(task_definition_arn)
        nonce = uuid.uuid4().hex[:12]
        description = f"bluegreen_deploy {plan.action} {name} ({nonce})"
        since = datetime.now(UTC) - OWN_DEPLOYMENT_WINDOW
        alarms = ", ".join(target.replacement_alarms)
        self._emit(Level.INFO, f"  alarms watched: {alarms} (the {target.replacement_color} target group's)")
        budget = self.options.timeout_seconds or target.budget.total_seconds
        deployment_id = None
        try:
            deployment_id = self._create(plan, task_definition_arn, description=description, since=since)
            self._emit(Level.INFO, f"  deployment {deployment_id}")
            deadline = self.clock() + budget
            info = self.watcher.wait(deployment_id, deadline=deadline, until={"Ready"})
            if info["status"] == "Ready":
                self._validate_green(
                    plan, deployment_id, opening=opening, rule=rule_description(release=name, nonce=nonce)
                )
                self._emit(Level.STEP, "Moving production traffic to green")
                self.aws.codedeploy.proceed(deployment_id)
                info = self.watcher.wait(deployment_id, deadline=deadline)
        except DeploymentTimeoutError:
            self._stop(deployment_id or "", f"deployment {deployment_id} did not succeed within {budget:g} s")
        except KeyboardInterrupt:
            if deployment_id:
                self._stop(deployment_id, f"interrupted while deployment {deployment_id} was in progress")
            if found := self._own_deployment(target, description, since):
                self._stop(found, f"interrupted while deployment {found} was being created")
            raise DeploymentFailedError("interrupted before a deployment was created; nothing was deployed") from None
        if info["status"] != "Succeeded":
            reason = deployment_failure_reason(info)
            raise DeploymentFailedError(
                f"deployment {deployment_id} {info['status']}: {reason}{self._rollback_outcome(info)}"
            )
        return deployment_id

    def _create(self, plan: Plan, task_definition_arn: str, *, description: str, since: datetime) -> str:
        """Create the deployment; if the call failed after CodeDeploy accepted it (a 5xx, or a retry refused
        because the first attempt's deployment is active), go on with the one it created."""
        target = plan.target
        try:
            return self.aws.codedeploy.create(
                application=target.application,
                group=target.deployment_group,
                revision=appspec_revision(self._appspec(task_definition_arn)),
                description=description,
                alarms=list(target.replacement_alarms),
            )
        except AwsCallError as error:
            found = self._own_deployment(target, description, since)
            if not found:
                raise DeploymentFailedError(f"{error}; no deployment was created; nothing was deployed") from error
            self._emit(Level.WARNING, f"  {error}; CodeDeploy had accepted it: continuing deployment {found}")
            return found

    def _own_deployment(self, target: Target, description: str, since: datetime) -> str | None:
        active = self.aws.codedeploy.deployments(
            application=target.application, group=target.deployment_group, statuses=ACTIVE_STATUSES, created_after=since
        )
        return own_deployment(active, description=description)

    def _validate_green(self, plan: Plan, deployment_id: str, *, opening: ListenerOpening | None, rule: str) -> None:
        """Validate with the test listener open to this runner; an AWS error opening it fails the release."""
        self._emit(Level.STEP, f"Validating green on the test listener {plan.target.test_listener_url}")
        checks = GreenChecks(
            base_url=plan.target.test_listener_url,
            health_path=self.config.service.health_path,
            readiness_path=self.config.service.readiness_path,
            release=plan.release,
            timeout_seconds=self.options.validation_timeout_seconds,
            retry_interval_seconds=min(2.0, self.options.poll_interval),
        )
        try:
            access = (
                listener_opened(self.aws.security_groups, opening=opening, description=rule, progress=self.progress)
                if opening
                else nullcontext()
            )
            with access:
                green_validate(checks, progress=self.progress, sleep=self.sleep)
        except (GreenValidationError, AwsCallError) as error:
            self._stop(deployment_id, str(error))

    def _stop(self, deployment_id: str, reason: str) -> NoReturn:
        """Stop the deployment with rollback, wait for the rollback and fail with both stories."""
        self._emit(Level.ERROR, reason)
        self._emit(Level.STEP, f"Stopping deployment {deployment_id} with rollback")
        try:
            answer = self.aws.codedeploy.stop(deployment_id)
        except AwsCallError as error:
            raise DeploymentFailedError(
                f"{reason}; stopping it failed too ({error}); stop it by hand: aws deploy stop-deployment "
                f"--deployment-id {deployment_id} --auto-rollback-enabled"
            ) from error
        self._emit(Level.INFO, f"  {answer}")
        deadline = self.clock() + self.options.rollback_timeout_seconds
        try:
            info = self.watcher.wait(deployment_id, deadline=deadline)
        except DeploymentTimeoutError:
            raise DeploymentFailedError(f"{reason}; deployment {deployment_id} is still stopping") from None
        raise DeploymentFailedError(
            f"{reason}; deployment {deployment_id} {info['status']}{self._rollback_outcome(info)}"
        )

    def _rollback_outcome(self, info: dict) -> str:
        """Follow the rollback CodeDeploy started for a failed or stopped deployment, and say how it ended."""
        rollback_id = rollback_deployment_id(info) or self._late_rollback_id(info)
        if not rollback_id:
            return "; no rollback deployment was started"
        self._emit(Level.STEP, f"Following rollback deployment {rollback_id}")
        try:
            outcome = self.watcher.wait(rollback_id, deadline=self.clock() + self.options.rollback_timeout_seconds)
        except DeploymentTimeoutError:
            return f"; rollback deployment {rollback_id} is still in progress"
        return f"; rollback deployment {rollback_id} {outcome['status']}"

    def _late_rollback_id(self, info: dict) -> str | None:
        """Re-read a failed or stopped deployment for a while: its rollbackInfo may appear after its status."""
        if info.get("status") not in {"Failed", "Stopped"} or not info.get("deploymentId"):
            return None
        deadline = self.clock() + ROLLBACK_INFO_WAIT_SECONDS
        while self.clock() < deadline:
            self.sleep(self.options.poll_interval)
            if rollback_id := rollback_deployment_id(self.aws.codedeploy.deployment(info["deploymentId"])):
                return rollback_id
        return None

    def _follow(self, target: Target, deployment_id: str) -> ReleaseResult:
        """Watch someone else's deployment to its end; never continue or stop it, it is not ours."""
        self._emit(Level.STEP, f"Following deployment {deployment_id} already in progress")
        deadline = self.clock() + (self.options.timeout_seconds or target.budget.total_seconds)
        try:
            info = self.watcher.wait(deployment_id, deadline=deadline)
        except DeploymentTimeoutError as error:
            raise DeploymentFailedError(f"{error} after the wait budget; left as it is") from None
        except KeyboardInterrupt:
            raise DeploymentFailedError(f"stopped following deployment {deployment_id}; it goes on") from None
        if info["status"] != "Succeeded":
            reason = deployment_failure_reason(info)
            raise DeploymentFailedError(
                f"deployment {deployment_id} {info['status']}: {reason}{self._rollback_outcome(info)}"
            )
        return ReleaseResult(
            deployment_id=deployment_id,
            previous_task_definition=target.task_definition_arn,
            task_definition=None,
            elapsed_seconds=self.clock() - self.started,
            followed=True,
        )

    # Helpers.

    def _appspec(self, task_definition: str) -> dict:
        return appspec_for(self.config, task_definition)

    def _emit_plan(self, plan: Plan) -> None:
        self._emit(Level.STEP, "Plan")
        for line in plan_lines(plan):
            self._emit(Level.INFO, f"  {line}")

    def _emit(self, level: Level, text: str) -> None:
        self.progress(Event(level, text))

    def _result(
        self,
        plan: Plan,
        *,
        deployment_id: str | None,
        task_definition: str | None,
        dry_run: bool = False,
        migrated: bool = False,
    ) -> ReleaseResult:
        return ReleaseResult(
            deployment_id=deployment_id,
            previous_task_definition=plan.target.task_definition_arn,
            task_definition=task_definition,
            elapsed_seconds=self.clock() - self.started,
            dry_run=dry_run,
            migrated=migrated,
        )
