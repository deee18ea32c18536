"""Configuration checks that run before any CDK construct is built."""

import dataclasses

import pytest

from deploy.config import ENVIRONMENTS, get_config
from deploy.infra.validation import InvalidConfigError, config_validate


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_shipped_configurations_are_valid(name):
    config_validate(get_config(name))


def test_a_multi_az_environment_needs_a_task_per_zone():
    prod = get_config("prod")
    one_task = dataclasses.replace(prod, service=dataclasses.replace(prod.service, min_tasks=1))
    with pytest.raises(InvalidConfigError, match="one task per availability zone"):
        config_validate(one_task)


@pytest.mark.parametrize(
    ("section", "changes", "message"),
    [
        ("network", {"nat_gateways": 3}, "nat_gateways"),
        ("network", {"public_subnet_cidrs": ("10.0.0.0/24",)}, "one CIDR per availability zone"),
        ("network", {"isolated_subnet_cidrs": ("10.1.4.0/24", "10.0.5.0/24")}, "inside 10.0.0.0/16"),
        ("service", {"memory_mib": 4096}, "Fargate has no task size"),
        ("service", {"min_tasks": 5}, "min_tasks"),
        ("service", {"image_platform": "linux/386"}, "image_platform"),
        ("service", {"log_retention_days": 10}, "not a CloudWatch period"),
        ("database", {"instance_class": "db.t3.micro"}, "without the 'db.' prefix"),
        ("load_balancer", {"test_listener_allowed_cidrs": ("0.0.0.0/0",)}, "opens it to the internet"),
        ("load_balancer", {"test_listener_allowed_cidrs": ("runner",)}, "not a network address"),
    ],
)
def test_invalid_configuration_is_reported(section, changes, message):
    config = get_config("dev")
    broken = dataclasses.replace(config, **{section: dataclasses.replace(getattr(config, section), **changes)})
    with pytest.raises(InvalidConfigError, match=message):
        config_validate(broken)
