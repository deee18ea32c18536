"""A release's worst case, from the configuration: what the CD job's timeout and AWS session must outlast."""

from dataclasses import replace

from deploy.bluegreen.release import ReleaseOptions
from deploy.bluegreen.worst_case import configured_wait_budget, release_worst_case_minutes, session_hours
from deploy.config import get_config

DEV = get_config("dev")


def test_the_configured_budget_is_the_one_the_command_derives_from_the_group():
    # ready wait 30 + all-at-once 0 + termination wait 5 + buffer 10, as `--dry-run` reports it.
    assert configured_wait_budget(DEV.release).total_minutes == 45


def test_canary_and_linear_configs_add_their_traffic_shifting():
    canary = replace(DEV.release, deployment_config_name="CodeDeployDefault.ECSCanary10Percent15Minutes")
    linear = replace(DEV.release, deployment_config_name="CodeDeployDefault.ECSLinear10PercentEvery3Minutes")
    assert configured_wait_budget(canary).traffic_minutes == 15
    assert configured_wait_budget(linear).traffic_minutes == 30


def test_the_worst_case_adds_build_migration_budget_and_a_followed_stop_and_rollback():
    # 20 build + 15 migration + 45 budget + 2 x 10 stop and rollback + 1 late rollbackInfo.
    assert release_worst_case_minutes(DEV) == 101
    longer = ReleaseOptions(migration_timeout_seconds=3600)
    assert release_worst_case_minutes(DEV, options=longer) == 146


def test_the_session_is_whole_hours_covering_the_worst_case():
    assert session_hours(DEV) == 2
