"""compose.yaml: valid for Compose, and the app configured as in production on PostgreSQL like RDS's."""

import pytest

from deploy.config import CONTAINER_PORT, HEALTH_CHECK_COMMAND, get_config
from tests.delivery.tools import load_yaml, run_tool


@pytest.fixture(scope="module")
def compose():
    return load_yaml("compose.yaml")


def test_validates_against_the_compose_specification():
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_database_is_the_rds_major_version(compose):
    major = get_config("dev").database.engine_version.split(".")[0]
    assert compose["services"]["db"]["image"] == f"postgres:{major}"


def test_database_keeps_its_data_in_a_named_volume(compose):
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]


def test_app_waits_for_the_migration_which_waits_for_a_healthy_database(compose):
    services = compose["services"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_app_health_check_is_the_shared_command(compose):
    assert compose["services"]["app"]["healthcheck"]["test"] == ["CMD", *HEALTH_CHECK_COMMAND]


def test_app_runs_production_settings_without_tls_to_the_local_database(compose):
    environment = compose["services"]["app"]["environment"]
    assert environment["DB_SSLMODE"] == "disable"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "DJANGO_DEBUG" not in environment


def test_app_publishes_the_proxys_container_port_on_loopback_only(compose):
    """The proxy shares the app's network (as a task's containers do), so the port is published on the app."""
    assert compose["services"]["app"]["ports"] == [f"127.0.0.1:{CONTAINER_PORT}:{CONTAINER_PORT}"]


def test_proxy_is_the_tasks_image_in_the_apps_network_with_the_rendered_configuration(compose):
    config = get_config("dev")
    proxy = compose["services"]["proxy"]
    assert proxy["image"] == config.proxy.image
    assert proxy["user"] == config.proxy.user
    assert proxy["network_mode"] == "service:app"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert proxy["depends_on"]["proxy-config"]["condition"] == "service_completed_successfully"
    assert compose["services"]["proxy-config"]["command"][:3] == ["python", "-m", "deploy.proxy"]
    assert "proxy-config:/etc/proxy:ro" in proxy["volumes"]
    assert proxy["command"][-2:] == ["-c", "/etc/proxy/nginx.conf"]
