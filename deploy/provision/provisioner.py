"""The provisioning recipe: identify → assembly → service-linked roles → bootstrap → stacks in dependency order
(first image before the service's stack) → first migration → readiness through the load balancer → summary.

Each step reads first and writes only what differs, so a second run on a serving environment changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import aws_gateways
from deploy.bluegreen.release import BlueGreenRelease, ReleaseOptions
from deploy.config import EnvironmentConfig, GitHubStackOutput, StackOutput, StackParameter, StackPart
from deploy.infra.update_check import update_problems
from deploy.provision.assembly import Assembly, AssemblyStack, service_linked_roles_needed
from deploy.provision.cdk import CdkCli, assembly_prepared, bootstrap_argv, deploy_argv, diff_argv
from deploy.provision.errors import ProvisionError, ProvisionInterruptedError, UnsafeUpdateError
from deploy.provision.gateways import ProvisionGateways, StackState
from deploy.provision.image import Docker, ImageChoice, commit_tag, image_choose, repository_uri
from deploy.provision.process import Finished, elapsed_text
from deploy.provision.readiness import needs_migrations, readiness_ask, ready_wait
from deploy.provision.stacks import FAILED_CREATION, StackAction, stack_action


@dataclass(frozen=True, kw_only=True)
class ProvisionOptions:
    # A cloud assembly synthesized already (e.g. by CI); None: the CLI synthesizes one for this run.
    assembly: Path | None = None
    image: str | None = None
    # Where to ask /health/ready instead of the load balancer's own address.
    service_url: str | None = None
    ready_timeout_seconds: float = 900
    migration_timeout_seconds: float = 900
    poll_interval: float = 10


@dataclass(kw_only=True)
class ProvisionResult:
    account: str
    region: str
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    url: str | None = None
    release: str | None = None
    deploy_role_arn: str | None = None
    alarm_topic_arn: str | None = None
    elapsed_seconds: float = 0.0


class Provisioner:
    def __init__(
        self,
        config: EnvironmentConfig,
        *,
        gateways: ProvisionGateways,
        cdk: CdkCli,
        docker: Docker,
        options: ProvisionOptions,
        progress: Progress,
        release_factory: Callable[..., BlueGreenRelease] = BlueGreenRelease,
        commit: Callable[[], str | None] = commit_tag,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.aws = gateways
        self.cdk = cdk
        self.docker = docker
        self.options = options
        self.progress = progress
        self.release_factory = release_factory
        self.commit = commit
        self.sleep = sleep
        self.clock = clock

    def provision(self, *, dry_run: bool = False) -> ProvisionResult:
        started = self.clock()
        account = self._identify()
        result = ProvisionResult(account=account, region=self.config.region, dry_run=dry_run)
        with assembly_prepared(
            self.config, cdk=self.cdk, given=self.options.assembly, account=account, progress=self.progress
        ) as assembly:
            self._stacks_check(assembly)
            self._service_linked_roles(assembly, result)
            self._bootstrap(assembly, result)
            created_service = False
            for stack in assembly.stacks:
                created_service |= self._stack(assembly, stack, result)
        self._serve(result, created_service=created_service)
        result.elapsed_seconds = self.clock() - started
        return result

    # Steps, in recipe order.

    def _identify(self) -> str:
        self._emit(Level.STEP, f"Account and region of {self.config.name}")
        account = self.aws.account.account_id()
        self._emit(Level.INFO, f"  account {account}, region {self.config.region} (deploy/config.py)")
        return account

    def _stacks_check(self, assembly: Assembly) -> None:
        """Refuse before any change when a stack is in a state no deployment can start from, or when the ECS
        stack's update would touch what CodeDeploy owns."""
        for stack in assembly.stacks:
            action, _ = self._action(stack)
            if action is StackAction.COMPARE and stack.name == self.config.stack_name(StackPart.SERVICE):
                self._update_check(stack)

    def _update_check(self, stack: AssemblyStack) -> None:
        """``check_infra_update``'s rule on the deployed template: once releases run, CodeDeploy owns the
        listeners' actions and most of the service, and an update touching them could cut traffic (ADR 0017)."""
        self._emit(Level.STEP, f"Update check of {stack.name} (check_infra_update)")
        problems = update_problems(self.aws.stacks.template(stack.name), stack.template)
        if not problems:
            self._emit(Level.INFO, "  any update leaves the listeners and the service to CodeDeploy")
            return
        listed = "".join(f"\n  {problem}" for problem in problems)
        raise UnsafeUpdateError(
            f"{stack.name}: {len(problems)} change(s) could cut traffic or fail under CodeDeploy:{listed}\n"
            "Nothing was changed. Make them in a maintenance window (docs/deploy.md, Infrastructure updates): "
            "release until production forwards to the blue target group alone, deploy the stack, and release "
            "again at once"
        )

    def _action(self, stack: AssemblyStack) -> tuple[StackAction, StackState | None]:
        state = self.aws.stacks.state(stack.name)
        failures = self.aws.stacks.failure_reasons(stack.name) if state and state.status in FAILED_CREATION else []
        return stack_action(state, env=self.config.name, failures=failures), state

    def _service_linked_roles(self, assembly: Assembly, result: ProvisionResult) -> None:
        self._emit(Level.STEP, "Service-linked roles")
        for service in service_linked_roles_needed(assembly):
            if role := self.aws.iam.service_linked_role(service):
                self._emit(Level.INFO, f"  {service}: {role}")
            elif result.dry_run:
                self._emit(Level.INFO, f"  {service}: would create its service-linked role")
            else:
                if role := self.aws.iam.create_service_linked_role(service):
                    self._emit(Level.SUCCESS, f"  {service}: created {role}")
                    result.changes.append(f"service-linked role of {service}")
                else:  # created meanwhile, by the service itself or another run
                    self._emit(Level.INFO, f"  {service}: IAM says its role exists already")

    def _bootstrap(self, assembly: Assembly, result: ProvisionResult) -> None:
        self._emit(Level.STEP, "CDK bootstrap")
        required, parameter = assembly.bootstrap_requirement
        found = self.aws.bootstrap.version(parameter) if parameter else None
        where = f"aws://{result.account}/{result.region}"
        if found is not None and found >= required:
            self._emit(Level.INFO, f"  {where}: version {found} (the stacks need {required} or later)")
            return
        had = "not bootstrapped" if found is None else f"version {found}"
        if result.dry_run:
            self._emit(Level.INFO, f"  {where}: {had}; would bootstrap (the stacks need version {required})")
            return
        self._emit(Level.INFO, f"  {where}: {had}; bootstrapping (the stacks need version {required})")
        argv = bootstrap_argv(
            self.cdk.executable, assembly=assembly.directory, account=result.account, region=result.region
        )
        finished = self._cdk_check(argv, awaited=f"cdk bootstrap {where}", stack="CDKToolkit")
        self._emit(Level.SUCCESS, f"  bootstrapped in {elapsed_text(finished.elapsed_seconds)}")
        result.changes.append("CDK bootstrap")

    def _stack(self, assembly: Assembly, stack: AssemblyStack, result: ProvisionResult) -> bool:
        """Create or update one stack if it needs it; ``True`` when it was created by this run."""
        self._emit(Level.STEP, f"Stack {stack.name}")
        action, state = self._action(stack)
        parameters: dict[str, str] = {}
        if action is StackAction.COMPARE:
            argv = diff_argv(self.cdk.executable, assembly=assembly.directory, stack=stack.name)
            differences = self.cdk.diff(argv, awaited=f"cdk diff {stack.name}")
            if differences is None:
                self._emit(Level.INFO, f"  {state.status}; no difference with the assembly: left as it is")
                return False
            self._emit(Level.INFO, f"  {state.status}; differs from the assembly:")
            for line in differences.output:
                self._emit(Level.INFO, f"    {line}")
            verb = "update"
        else:
            self._emit(Level.INFO, "  does not exist yet")
            if StackParameter.IMAGE_TAG in stack.parameters:
                image = self._image(result)
                parameters[StackParameter.IMAGE_TAG] = image.tag
            verb = "create"
        if result.dry_run:
            self._emit(Level.INFO, f"  would {verb} it" + (f" with {_params(parameters)}" if parameters else ""))
            result.changes.append(f"{verb} {stack.name}")
            return action is StackAction.CREATE
        argv = deploy_argv(self.cdk.executable, assembly=assembly.directory, stack=stack.name, parameters=parameters)
        finished = self._cdk_check(argv, awaited=f"cdk deploy {stack.name}", stack=stack.name)
        self._emit(Level.SUCCESS, f"  {verb}d in {elapsed_text(finished.elapsed_seconds)}")
        result.changes.append(f"{verb} {stack.name}")
        return action is StackAction.CREATE

    def _image(self, result: ProvisionResult) -> ImageChoice:
        """The first image, before the service's stack needs it; built and pushed here when that is the way."""
        repository = self.config.repository_name
        uri = repository_uri(account=result.account, region=result.region, repository=repository)
        tags = self.aws.registry.image_tags(repository)
        if tags is None and result.dry_run:
            tag = self.options.image or self.commit() or "<commit>"
            self._emit(Level.INFO, f"  first image: {uri}:{tag} (the repository is created by an earlier stack)")
            return ImageChoice(repository_uri=uri, tag=tag.rsplit(":", 1)[-1], build=False)
        docker = not self.options.image and self.docker.available()
        choice = image_choose(
            given=self.options.image, repository_uri=uri, tags=tags or [], commit_tag=self.commit(), docker=docker
        )
        if not choice.build:
            self._emit(Level.INFO, f"  first image: {choice.uri} (in the repository)")
        elif result.dry_run:
            self._emit(Level.INFO, f"  first image: would build and push {choice.uri} with Docker")
        else:
            self._emit(Level.INFO, f"  first image: building and pushing {choice.uri} with Docker")
            registry, user, password = self.aws.registry.login()
            try:
                self.docker.build_and_push(
                    choice,
                    platform=self.config.service.image_platform,
                    registry=registry,
                    user=user,
                    password=password,
                )
            except KeyboardInterrupt:
                raise ProvisionInterruptedError(
                    f"interrupted while building {choice.uri}; nothing was pushed"
                ) from None
            result.changes.append(f"image {choice.uri}")
        return choice

    def _serve(self, result: ProvisionResult, *, created_service: bool) -> None:
        """The first migration, readiness through the load balancer, and what the summary names."""
        github = self.aws.stacks.state(self.config.stack_name(StackPart.GITHUB))
        result.deploy_role_arn = (github.outputs if github else {}).get(GitHubStackOutput.DEPLOY_ROLE_ARN)
        result.alarm_topic_arn = f"arn:aws:sns:{result.region}:{result.account}:{self.config.alarm_topic_name}"
        self._emit(Level.STEP, "Migrations and readiness")
        service = self.aws.stacks.state(self.config.stack_name(StackPart.SERVICE))
        dns_name = (service.outputs if service else {}).get(StackOutput.ALB_DNS_NAME)
        base = self.options.service_url or self.config.public_url(alb_dns_name=dns_name)
        if result.dry_run:
            first = "run the migrations (a first deployment), then " if created_service else ""
            where = (base or f"http://<{StackOutput.ALB_DNS_NAME}>").rstrip("/")  # the output, once created
            self._emit(Level.INFO, f"  would {first}wait for {where}{self.config.service.readiness_path}")
            return
        if not base:
            raise ProvisionError(
                f"stack {self.config.stack_name(StackPart.SERVICE)} has no {StackOutput.ALB_DNS_NAME} output to "
                "check readiness at; pass --service-url"
            )
        base = base.rstrip("/")
        result.url = base + "/"
        url = base + self.config.service.readiness_path
        if created_service:
            self._migrate(result, why="the service's first deployment")
        elif needs_migrations(answer := readiness_ask(url)[0]):
            # A first run stopped before its migration: the tasks serve, the schema is behind.
            self._migrate(result, why=f"{url} answers {answer}")
        self._emit(Level.STEP, f"Waiting for {url}")
        try:
            ready = ready_wait(
                url,
                timeout_seconds=self.options.ready_timeout_seconds,
                poll_interval=self.options.poll_interval,
                progress=self.progress,
                sleep=self.sleep,
                clock=self.clock,
            )
        except KeyboardInterrupt:
            raise ProvisionInterruptedError(
                f"interrupted while waiting for {url}; the stacks are in place: run provision again to finish"
            ) from None
        self._emit(
            Level.SUCCESS, f"  ready, release {ready.release or 'unnamed'} ({elapsed_text(ready.elapsed_seconds)})"
        )
        result.release = ready.release

    def _migrate(self, result: ProvisionResult, *, why: str) -> None:
        """bluegreen_deploy's migration step: a one-off task of the migration family, stopped if interrupted."""
        self._emit(Level.INFO, f"  migrations: {why}")
        release = self.release_factory(
            self.config,
            gateways=aws_gateways(self.config.region),
            options=ReleaseOptions(
                migration_timeout_seconds=self.options.migration_timeout_seconds,
                poll_interval=self.options.poll_interval,
                open_test_listener=False,
            ),
            progress=self.progress,
            sleep=self.sleep,
        )
        release.migrate()
        result.changes.append("migrations")

    # Helpers.

    def _cdk_check(self, argv: list[str], *, awaited: str, stack: str) -> Finished:
        try:
            return self.cdk.check(argv, awaited=awaited)
        except KeyboardInterrupt:
            raise ProvisionInterruptedError(
                f"interrupted: stopped `cdk {argv[1]}`. CloudFormation may still be working on {stack}: wait for "
                f"it to end (aws cloudformation describe-stacks --stack-name {stack}), then run provision again"
            ) from None

    def _emit(self, level: Level, text: str) -> None:
        self.progress(Event(level, text))


def _params(parameters: dict[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in parameters.items())
