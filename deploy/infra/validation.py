"""Checks of an environment's configuration that CDK would otherwise report late or not at all."""

from __future__ import annotations

import ipaddress

from deploy.config import FARGATE_CPU_ARCHITECTURES, EnvironmentConfig

# The CloudWatch Logs retention periods ``deploy.infra.retention`` can express.
LOG_RETENTION_DAYS = frozenset({1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731})
# Fargate's valid memory sizes (MiB) for each CPU size.
FARGATE_MEMORY_MIB = {
    256: {512, 1024, 2048},
    512: {1024 * n for n in range(1, 5)},
    1024: {1024 * n for n in range(2, 9)},
    2048: {1024 * n for n in range(4, 17)},
    4096: {1024 * n for n in range(8, 31)},
}


class InvalidConfigError(ValueError):
    """Raised when an environment's configuration cannot describe a deployable infrastructure."""


def config_validate(config: EnvironmentConfig) -> None:
    """Raise ``InvalidConfigError`` listing every problem of ``config``; return quietly when it is sound."""
    problems = [
        *_network_problems(config),
        *_service_problems(config),
        *_database_problems(config),
        *_test_listener_problems(config),
        *_domain_problems(config),
    ]
    if problems:
        raise InvalidConfigError(f"invalid configuration for environment {config.name!r}: " + "; ".join(problems))


def _network_problems(config: EnvironmentConfig) -> list[str]:
    network = config.network
    zones = len(network.availability_zones)
    problems = []
    if not 1 <= network.nat_gateways <= zones:
        problems.append(f"nat_gateways must be between 1 and {zones} (one per availability zone at most)")
    vpc = ipaddress.ip_network(network.vpc_cidr)
    for kind in ("public", "private", "isolated"):
        cidrs = getattr(network, f"{kind}_subnet_cidrs")
        if len(cidrs) != zones:
            problems.append(f"{kind}_subnet_cidrs needs one CIDR per availability zone ({zones})")
        for cidr in cidrs:
            subnet = ipaddress.ip_network(cidr)
            if not subnet.subnet_of(vpc) or subnet.prefixlen != network.subnet_mask:
                problems.append(f"{kind} subnet {cidr} must be a /{network.subnet_mask} inside {vpc}")
    if network.flow_log_retention_days not in LOG_RETENTION_DAYS:
        problems.append(f"flow_log_retention_days {network.flow_log_retention_days} is not a CloudWatch period")
    return problems


def _service_problems(config: EnvironmentConfig) -> list[str]:
    service = config.service
    problems = []
    if service.image_platform not in FARGATE_CPU_ARCHITECTURES:
        problems.append(
            f"image_platform {service.image_platform!r} is not one of {', '.join(FARGATE_CPU_ARCHITECTURES)}"
        )
    if service.memory_mib not in FARGATE_MEMORY_MIB.get(service.cpu, set()):
        problems.append(f"Fargate has no task size of {service.cpu} CPU units with {service.memory_mib} MiB")
    if not 1 <= service.min_tasks <= service.max_tasks:
        problems.append(f"tasks must satisfy 1 <= min_tasks ({service.min_tasks}) <= max_tasks ({service.max_tasks})")
    zones = len(config.network.availability_zones)
    if config.database.multi_az and service.min_tasks < zones:
        problems.append(
            f"min_tasks ({service.min_tasks}) leaves a zone without a task while the database survives its loss "
            f"(multi_az): run at least one task per availability zone ({zones})"
        )
    if service.log_retention_days not in LOG_RETENTION_DAYS:
        problems.append(f"log_retention_days {service.log_retention_days} is not a CloudWatch period")
    if not service.health_path.startswith("/"):
        problems.append(f"health_path {service.health_path!r} must start with '/'")
    return problems


def _database_problems(config: EnvironmentConfig) -> list[str]:
    database = config.database
    problems = []
    if database.instance_class.startswith("db."):
        problems.append(f"instance_class {database.instance_class!r} is written without the 'db.' prefix")
    if database.max_allocated_storage_gib <= database.allocated_storage_gib:
        problems.append("max_allocated_storage_gib must exceed allocated_storage_gib for storage autoscaling")
    return problems


def _test_listener_problems(config: EnvironmentConfig) -> list[str]:
    """The test listener serves a release before it is validated: only the CD runner may reach it."""
    problems = []
    for cidr in config.load_balancer.test_listener_allowed_cidrs:
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError:
            problems.append(f"test listener CIDR {cidr!r} is not a network address")
            continue
        if network.prefixlen == 0:
            problems.append(f"test listener CIDR {cidr} opens it to the internet; give the CD runner's addresses")
    return problems


def _domain_problems(config: EnvironmentConfig) -> list[str]:
    """The certificate is validated in the hosted zone: the domain must be a name inside it."""
    domain = config.domain
    if domain is None:
        return []
    zone = domain.hosted_zone_name.rstrip(".").lower()
    name = domain.name.rstrip(".").lower()
    if name != zone and not name.endswith(f".{zone}"):
        return [f"domain {domain.name!r} is not in the hosted zone {domain.hosted_zone_name!r}"]
    return []
