"""One typed, frozen description per environment: the single source of every name, port and size.

Both the CDK constructs (``deploy.infra``) and ``bluegreen_deploy`` read these objects, so a name or a
port is written here once and nowhere else. Nothing in this module touches AWS or imports ``aws_cdk``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The web runtime's port, health path and stop timing are its own (project.runtime, which the image
# carries without deploy/); the stacks and releases use the same values through these names.
from project.runtime import (
    APP_PORT,
    CONTAINER_PORT,
    DEFAULT_MAX_REQUEST_BODY_BYTES,
    HEALTH_CHECK_COMMAND,
    HEALTH_PATH,
    STOP_TIMEOUT_SECONDS,
)
from project.settings.database import LOCK_TIMEOUT_VARIABLE, STATEMENT_TIMEOUT_VARIABLE

PROJECT = "TextMessaging"
REGION = "ap-northeast-1"
CONTAINER_NAME = "text-messaging-app"
# The task's second container: nginx in front of gunicorn, receiving the load balancer's traffic.
PROXY_CONTAINER_NAME = "text-messaging-proxy"

# The repository whose GitHub Actions may assume the deploy role. It is the one value an organisation
# forking this project must change; everything else derives from the environment name.
GITHUB_REPOSITORY = "text-messaging/text-messaging-app"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
# Fixed addresses (CIDRs) that may always reach the test listener, e.g. a self-hosted runner's egress. The
# listener serves the release being validated, so it is closed to everyone else: bluegreen_deploy opens it
# to the runner's own address for the validation window only (ADR 0009). Empty: only that per-release rule.
CD_RUNNER_CIDRS: tuple[str, ...] = ()
# Answers the caller's public IP address as text: how bluegreen_deploy learns the address to open the test
# listener to when the runner has no fixed one (GitHub's hosted runners). Overridden by --runner-address.
RUNNER_ADDRESS_ECHO_URL = "https://checkip.amazonaws.com"
# Fargate's CPU architecture (ECS RuntimePlatform) for each image platform a service may run.
FARGATE_CPU_ARCHITECTURES = {"linux/amd64": "X86_64", "linux/arm64": "ARM64"}


class UnknownEnvironmentError(ValueError):
    """Raised for an environment name that has no configuration."""


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    vpc_cidr: str = "10.0.0.0/16"
    # Zones "A" and "C" of the seed; every subnet list below is ordered the same way.
    availability_zones: tuple[str, ...] = ("ap-northeast-1a", "ap-northeast-1c")
    subnet_mask: int = 24
    public_subnet_cidrs: tuple[str, ...] = ("10.0.0.0/24", "10.0.1.0/24")
    private_subnet_cidrs: tuple[str, ...] = ("10.0.2.0/24", "10.0.3.0/24")
    isolated_subnet_cidrs: tuple[str, ...] = ("10.0.4.0/24", "10.0.5.0/24")
    nat_gateways: int
    flow_log_retention_days: int = 30


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    # A minor RDS still creates (cfn-lint W3691 names the ones it no longer does; a test runs it).
    engine_version: str = "16.11"
    instance_class: str  # EC2-style class without the "db." prefix, e.g. "t3.micro"
    allocated_storage_gib: int = 20
    max_allocated_storage_gib: int = 100
    multi_az: bool
    port: int = 5432
    database_name: str = "messaging"
    master_username: str = "messaging"
    # The role the service's tasks connect as: rows only, created by the release's migration step
    # (manage.py db_app_role) from its own secret, so the master secret can be rotated under running tasks.
    app_username: str = "messaging_app"
    backup_retention_days: int = 7
    deletion_protection: bool
    # prod keeps a final snapshot when the instance is removed; dev may be thrown away.
    snapshot_on_removal: bool


@dataclass(frozen=True, kw_only=True)
class RegistryConfig:
    scan_on_push: bool = True
    # Keep enough tagged images to roll back several releases; older ones expire.
    keep_images: int = 30


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    # The proxy's port, the one the load balancer targets; gunicorn listens on app_port on loopback only.
    container_port: int = CONTAINER_PORT
    app_port: int = APP_PORT
    max_request_body_bytes: int = DEFAULT_MAX_REQUEST_BODY_BYTES
    cpu: int = 256  # 0.25 vCPU
    # The platform the tasks run on and every image must be built for (`docker buildx build --platform`): an
    # image built on an arm64 laptop without it fails on x86 Fargate with "exec format error".
    image_platform: str = "linux/amd64"
    memory_mib: int = 512
    health_path: str = HEALTH_PATH
    readiness_path: str = "/health/ready"
    health_check_interval_seconds: int = 30
    health_check_timeout_seconds: int = 5
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    health_check_command: tuple[str, ...] = HEALTH_CHECK_COMMAND
    # Time a starting container gets before failed container health checks count (migrations run apart).
    health_check_start_period_seconds: int = 30
    # The ALB's checks are ignored this long after a task starts, so a slow boot is not killed in a loop.
    health_check_grace_period_seconds: int = 60
    stop_timeout_seconds: int = STOP_TIMEOUT_SECONDS
    desired_count: int = 1
    min_tasks: int = 1
    max_tasks: int
    cpu_target_percent: int = 70
    memory_target_percent: int = 70
    scale_out_cooldown_seconds: int = 60
    scale_in_cooldown_seconds: int = 300
    log_retention_days: int = 30
    release_env_var: str = "RELEASE_VERSION"
    # Run by bluegreen_deploy as a one-off task of the new revision before any traffic moves to it.
    # The app's database role is set up after the migrations, by the same task, as their owner.
    migrate_command: tuple[str, ...] = (
        "sh",
        "-c",
        "python manage.py migrate --no-input && python manage.py db_app_role",
    )
    # The migration task's own database limits, in place of the app's 5 s statement and 2 s lock timeouts
    # (ADR 0016): no statement timeout, since an index build or a table rewrite takes what it takes; a
    # bounded lock wait, since every request touching the table queues behind a waiting ALTER.
    migration_statement_timeout_ms: int = 0
    migration_lock_timeout_ms: int = 10_000

    @property
    def migration_environment(self) -> dict[str, str]:
        """The variables the migration task's container gets on top of the task definition's."""
        return {
            STATEMENT_TIMEOUT_VARIABLE: str(self.migration_statement_timeout_ms),
            LOCK_TIMEOUT_VARIABLE: str(self.migration_lock_timeout_ms),
        }


@dataclass(frozen=True, kw_only=True)
class ProxyConfig:
    """The buffering proxy in every task (docs/adr/0013-buffering-proxy.md): its image, deadlines and sizes.

    ``deploy.proxy`` renders its nginx configuration from these values, the service's ports and body
    limit; the same rendering runs in the tests.
    """

    # The Docker Official Image nginx 1.30.5 on Alpine, pinned by its index digest as published in
    # github.com/docker-library/repo-info (repos/nginx/remote/1.30.5-alpine.md).
    image: str = "nginx:1.30.5-alpine@sha256:0985e772fb9f729e6fa0980da05fca5d9c468e870eed43071545afa9d2e27d94"
    # The image's own unprivileged nginx user.
    user: str = "101"
    # The whole request line and headers must arrive within this; a body may pause this long between
    # two reads; an answer may wait this long for the client to take the next part.
    header_timeout_seconds: int = 5
    body_timeout_seconds: int = 5
    send_timeout_seconds: int = 10
    # Longer than the ALB's 60 s idle timeout, so the load balancer closes idle connections, never the proxy.
    idle_timeout_seconds: int = 65
    # gunicorn's worker timeout: a request still running then has a killed worker behind it.
    upstream_timeout_seconds: int = 30
    # Idle upstream connections kept per nginx worker: at least the app's request threads (2 x 4).
    upstream_keepalive: int = 16
    # Connections one nginx worker holds (clients and upstream): 2,000 idle clients (the reliability
    # suite's probe) with room for the traffic and the upstream connections beside them.
    worker_connections: int = 2304
    open_files: int = 8192
    # The memory each connection may take is bounded so that nginx stays within ``memory_budget_mib``
    # of the task's 512 MiB, the rest being gunicorn's (ADR 0013 has the arithmetic and the measurements).
    # Request line and headers: one small buffer, then up to four large ones (over 4 KiB is a 414 or 431).
    header_buffer_bytes: int = 1024
    large_header_buffers: int = 4
    large_header_buffer_bytes: int = 4096
    # A body up to this size (a message of about 4,000 ASCII characters) is held in memory; a larger one,
    # up to the body limit, is written to a temporary file under the proxy's prefix and read back from it
    # into a second such buffer to be sent to gunicorn.
    body_buffer_bytes: int = 4096
    # An answer is taken from gunicorn into these buffers, the rest into a temporary file of at most
    # ``answer_temp_file_bytes``: more than the largest page (200 messages of 4,000 characters, up to
    # 4 bytes each in UTF-8: about 3.3 MB), so gunicorn is always freed whatever the client reads. What
    # is in the file is read back into one more buffer of ``answer_buffer_bytes`` to be sent.
    answer_header_buffer_bytes: int = 4096
    answer_buffers: int = 2
    answer_buffer_bytes: int = 4096
    answer_temp_file_bytes: int = 4 * 1024 * 1024
    # nginx's own pools: connection_pool_size and request_pool_size, at their 64-bit defaults.
    connection_pool_bytes: int = 512
    request_pool_bytes: int = 4096
    # nginx's master and worker with no connection: 10.1 MiB resident, shared libraries included
    # (measured, Debian's nginx 1.22; tests/reliability/test_slow_clients.py).
    idle_memory_mib: int = 12
    memory_budget_mib: int = 160

    @property
    def connection_memory_bytes(self) -> int:
        """The most one client connection can make nginx hold: its pools, its request head twice (as read, and
        as rewritten for gunicorn, on an upstream connection with a pool of its own), body and answer buffers."""
        pools = 2 * self.connection_pool_bytes + self.request_pool_bytes
        headers = 2 * (self.header_buffer_bytes + self.large_header_buffers * self.large_header_buffer_bytes)
        body = 2 * self.body_buffer_bytes
        answer = self.answer_header_buffer_bytes + (self.answer_buffers + 1) * self.answer_buffer_bytes
        return pools + headers + body + answer

    @property
    def worst_memory_bytes(self) -> int:
        """The most nginx can hold: idle, plus every connection at its most."""
        return self.idle_memory_mib * 2**20 + self.worker_connections * self.connection_memory_bytes


@dataclass(frozen=True, kw_only=True)
class LoadBalancerConfig:
    production_port: int = 80
    https_port: int = 443
    test_port: int = 8080
    # Without a domain the admin is not served on the production listener: the ALB answers these paths
    # itself (ADR 0018), before any of them reaches a task. The ALB matches the path as sent while Django
    # decodes it, so a percent-encoded path (/%61dmin/) is refused too; no route of the API needs one.
    admin_path_patterns: tuple[str, ...] = ("/admin", "/admin/*", "/*%*")
    # Who may always reach the test listener, where green is validated before traffic moves to it; the CD
    # runner's own address is added by bluegreen_deploy for each validation and removed after it.
    test_listener_allowed_cidrs: tuple[str, ...] = CD_RUNNER_CIDRS
    runner_address_echo_url: str = RUNNER_ADDRESS_ECHO_URL
    # Requests are short (well under a second); 30 s drains them without slowing a release.
    deregistration_delay_seconds: int = 30


@dataclass(frozen=True, kw_only=True)
class DomainConfig:
    """The name clients use, in a Route 53 hosted zone of the same account: it turns HTTPS on (ADR 0018)."""

    name: str  # e.g. "messages.example.com"
    hosted_zone_id: str  # e.g. "Z0123456789ABCDEFGHIJ"
    hosted_zone_name: str  # e.g. "example.com"; ``name`` is in it


@dataclass(frozen=True, kw_only=True)
class ReleaseConfig:
    """CodeDeploy blue/green timings, read by the stacks and by the deploy command's wait budget."""

    deployment_config_name: str = "CodeDeployDefault.ECSAllAtOnce"
    # How long green waits on the test listener for the deploy command to validate and continue it.
    ready_wait_minutes: int = 30
    # How long blue tasks stay after traffic moves, so a rollback is instant.
    termination_wait_minutes: int = 5
    # Alarms on the replacement target group that stop a deployment and roll it back (ADR 0009).
    alarm_period_seconds: int = 60
    alarm_evaluation_periods: int = 3
    target_5xx_alarm_threshold: int = 5
    unhealthy_host_alarm_threshold: int = 1


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    name: str
    region: str = REGION
    network: NetworkConfig
    database: DatabaseConfig
    registry: RegistryConfig = field(default_factory=RegistryConfig)
    service: ServiceConfig
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    load_balancer: LoadBalancerConfig = field(default_factory=LoadBalancerConfig)
    release: ReleaseConfig = field(default_factory=ReleaseConfig)
    # With a domain: an ACM certificate, production on 443 and 80 redirecting to it, HSTS and secure cookies.
    # Without: plain HTTP on 80, and the admin not served there (reach it through a port forward).
    domain: DomainConfig | None = None
    github_repository: str = GITHUB_REPOSITORY
    # An account holds one OIDC provider per issuer: set False for an environment sharing an account
    # with another that already creates it.
    create_github_oidc_provider: bool = True
    # Disposable: torn down and re-created at will (registry, logs and images go with the stacks).
    # Otherwise kept and protected: termination protection, ALB deletion protection, retained secret.
    disposable: bool

    def stack_name(self, part: str) -> str:
        return f"{PROJECT}-{self.name}-{part}"

    @property
    def resource_name(self) -> str:
        return f"text-messaging-{self.name}"

    @property
    def cluster_name(self) -> str:
        return self.resource_name

    @property
    def service_name(self) -> str:
        return self.resource_name

    @property
    def container_name(self) -> str:
        """The app's container: the one a release changes the image of."""
        return CONTAINER_NAME

    @property
    def proxy_container_name(self) -> str:
        """The proxy's container: the one the load balancer routes to."""
        return PROXY_CONTAINER_NAME

    @property
    def migration_family(self) -> str:
        """The migration task definition's family: the app's image, as the database's master user (ADR 0019)."""
        return f"{self.resource_name}-migrate"

    @property
    def log_group_name(self) -> str:
        return f"/ecs/{self.resource_name}"

    @property
    def repository_name(self) -> str:
        return f"{CONTAINER_NAME}-{self.name}"

    @property
    def codedeploy_application_name(self) -> str:
        return self.resource_name

    @property
    def deployment_group_name(self) -> str:
        return f"{self.resource_name}-dg"

    @property
    def alarm_topic_name(self) -> str:
        """The SNS topic every release alarm's state change is sent to; subscribe the on-call address."""
        return f"{self.resource_name}-alarms"

    def alarm_name(self, target_group: str, metric: str) -> str:
        """E.g. ``text-messaging-dev-green-5xx``: fixed, so a release can name the alarms of its green group."""
        return f"{self.resource_name}-{target_group}-{metric}"

    @property
    def https(self) -> bool:
        return self.domain is not None

    def public_url(self, *, alb_dns_name: str | None) -> str | None:
        """Where clients reach the service, without a trailing slash: ``https://<domain>`` with a domain (port
        80 only redirects there, and the tasks answer the domain's name alone), else ``http://<ALB DNS name>``;
        ``None`` without a domain or a DNS name (the stack's ``AlbDnsName`` output not read)."""
        if self.domain:
            return f"https://{self.domain.name}"
        return f"http://{alb_dns_name}" if alb_dns_name else None

    @property
    def production_listener_port(self) -> int:
        """The port of CodeDeploy's production listener: 443 with a domain, else 80."""
        return self.load_balancer.https_port if self.https else self.load_balancer.production_port

    @property
    def operator_policy_name(self) -> str:
        """The managed policy an administrator attaches to the people who run the runbook commands."""
        return self.stack_name("Operator")

    @property
    def github_environment(self) -> str:
        """The GitHub deployment environment whose jobs may assume this environment's deploy role."""
        return self.name


class StackPart:
    """The last word of each stack's name: ``TextMessaging-<env>-<part>``."""

    NETWORK = "Network"
    DATABASE = "Database"
    REGISTRY = "ECR"
    SERVICE = "ECS"
    GITHUB = "GitHubOidc"


class StackParameter:
    """CloudFormation parameters of the ECS stack: given on its first deployment, kept afterwards."""

    IMAGE_TAG = "ImageTag"


class StackOutput:
    """Output keys of the ECS stack that ``bluegreen_deploy`` and the runbook read."""

    ALB_DNS_NAME = "AlbDnsName"
    PRODUCTION_LISTENER_ARN = "ProductionListenerArn"
    TEST_LISTENER_ARN = "TestListenerArn"
    TEST_LISTENER_URL = "TestListenerUrl"
    CLUSTER_NAME = "ClusterName"
    SERVICE_NAME = "ServiceName"
    CODEDEPLOY_APPLICATION = "CodeDeployApplicationName"
    DEPLOYMENT_GROUP = "DeploymentGroupName"
    BLUE_TARGET_GROUP_ARN = "BlueTargetGroupArn"
    GREEN_TARGET_GROUP_ARN = "GreenTargetGroupArn"
    # Where bluegreen_deploy adds (and removes) the rule that lets the CD runner reach the test listener.
    ALB_SECURITY_GROUP_ID = "AlbSecurityGroupId"


class GitHubStackOutput:
    """Output keys of the GitHubOidc stack that ``provision`` reads."""

    # The role CD assumes: the value of the GitHub environment's AWS_ROLE_ARN secret.
    DEPLOY_ROLE_ARN = "DeployRoleArn"


class TargetGroupColor:
    """The two target groups' names in the stack and in alarm names; CodeDeploy alternates which one is live."""

    BLUE = "blue"
    GREEN = "green"


class AlarmMetric:
    """The last word of each release alarm's name."""

    TARGET_5XX = "5xx"
    UNHEALTHY_HOSTS = "unhealthy"


ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    "dev": EnvironmentConfig(
        name="dev",
        disposable=True,
        network=NetworkConfig(nat_gateways=1),
        database=DatabaseConfig(
            instance_class="t3.micro",
            multi_az=False,
            deletion_protection=False,
            snapshot_on_removal=False,
        ),
        service=ServiceConfig(max_tasks=4, log_retention_days=14),
    ),
    "prod": EnvironmentConfig(
        name="prod",
        disposable=False,
        network=NetworkConfig(nat_gateways=2),
        database=DatabaseConfig(
            instance_class="t3.small",
            multi_az=True,
            deletion_protection=True,
            snapshot_on_removal=True,
            backup_retention_days=14,
        ),
        # One task per zone at least, beside the Multi-AZ database: losing a zone leaves a task serving.
        service=ServiceConfig(min_tasks=2, max_tasks=10, log_retention_days=90),
    ),
}


def get_config(name: str) -> EnvironmentConfig:
    """Return the configuration of environment ``name`` or raise ``UnknownEnvironmentError``."""
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        known = ", ".join(sorted(ENVIRONMENTS))
        raise UnknownEnvironmentError(f"unknown environment {name!r}; choose one of: {known}") from None
