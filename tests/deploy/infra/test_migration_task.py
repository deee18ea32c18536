"""The app's own database role: its secret, the service connecting with it, and the migration task
definition holding the master user's secret apart from the service (ADR 0019)."""

import json

from tests.deploy.infra.conftest import resources_of


def task_definitions(service) -> dict[str, dict]:
    """Family → the task definition's properties."""
    return {
        r["Properties"]["Family"]: r["Properties"] for r in resources_of(service, "AWS::ECS::TaskDefinition").values()
    }


def secret_sources(definition: dict) -> dict[str, str]:
    """Variable → the export of the secret it is read from, over every container of the task (the
    service's runs the proxy beside the app: neither may read the master secret)."""
    found = {}
    for container in definition["ContainerDefinitions"]:
        for secret in container.get("Secrets", []):
            assert secret["Name"] not in found, f"{secret['Name']} is read by two containers"
            found[secret["Name"]] = json.dumps(secret["ValueFrom"])
    return found


def test_the_app_roles_password_is_generated_in_its_own_pinned_secret(database, config):
    resources = database.to_json()["Resources"]
    secret = resources["DatabaseAppSecret"]
    template = json.loads(secret["Properties"]["GenerateSecretString"]["SecretStringTemplate"])
    assert template == {"username": config.database.app_username}
    assert config.database.app_username != config.database.master_username
    assert secret["DeletionPolicy"] == ("Delete" if config.disposable else "Retain")
    (attachment,) = [r for i, r in resources.items() if i.startswith("DatabaseAppSecretAttachment")]
    assert attachment["Properties"]["SecretId"] == {"Ref": "DatabaseAppSecret"}


def test_the_migration_task_definition_holds_the_master_secret_and_the_app_roles(service, config):
    migration = task_definitions(service)[config.migration_family]
    (container,) = migration["ContainerDefinitions"]
    assert container["Name"] == config.container_name
    assert container["Command"] == list(config.service.migrate_command)
    assert "db_app_role" in container["Command"][-1]
    sources = secret_sources(migration)
    for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"):
        assert "DatabaseInstanceSecretAttachment" in sources[name]
    for name in ("DB_APP_USER", "DB_APP_PASSWORD"):
        assert "DatabaseAppSecretAttachment" in sources[name]
    assert container["LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "migrate"


def test_only_the_migration_tasks_execution_role_may_read_the_master_secret(service, config):
    families = task_definitions(service)
    app, migration = families[config.resource_name], families[config.migration_family]
    assert app["ExecutionRoleArn"] != migration["ExecutionRoleArn"]
    assert not any("DatabaseInstanceSecret" in source for source in secret_sources(app).values())
    role_of = {
        policy["Properties"]["Roles"][0]["Ref"]: json.dumps(policy["Properties"]["PolicyDocument"])
        for policy in resources_of(service, "AWS::IAM::Policy").values()
    }
    app_role = app["ExecutionRoleArn"]["Fn::GetAtt"][0]
    migration_role = migration["ExecutionRoleArn"]["Fn::GetAtt"][0]
    assert "DatabaseInstanceSecretAttachment" not in role_of[app_role]
    assert "DatabaseAppSecretAttachment" in role_of[app_role]
    assert "DatabaseInstanceSecretAttachment" in role_of[migration_role]


def test_the_deploy_role_runs_only_the_migration_family(github, config):
    (policy,) = github.find_resources("AWS::IAM::Policy").values()
    run = next(s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "RunMigrationTask")
    assert f"task-definition/{config.migration_family}:*" in json.dumps(run["Resource"])
    assert f"task-definition/{config.resource_name}:*" not in json.dumps(run["Resource"])


def test_the_migration_task_runs_where_the_service_runs(service, config):
    families = task_definitions(service)
    app, migration = families[config.resource_name], families[config.migration_family]
    for key in ("RuntimePlatform", "Cpu", "Memory", "TaskRoleArn"):
        assert migration[key] == app[key]
