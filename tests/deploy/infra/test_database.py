"""PostgreSQL 16.4 on RDS: sizes per environment, encryption, TLS, backups, credentials, pinned IDs."""

from aws_cdk.assertions import Match


def instance(database) -> dict:
    return database.to_json()["Resources"]["DatabaseInstance"]


def test_instance_and_secret_keep_their_pinned_logical_ids(database):
    resources = database.to_json()["Resources"]
    assert resources["DatabaseInstance"]["Type"] == "AWS::RDS::DBInstance"
    assert resources["DatabaseSecret"]["Type"] == "AWS::SecretsManager::Secret"


def test_engine_class_and_storage(database, config):
    props = instance(database)["Properties"]
    # The seed's major; the minor is one RDS still creates (test_cfn_lint fails on a deprecated one).
    assert (props["Engine"], props["EngineVersion"]) == ("postgres", config.database.engine_version)
    assert config.database.engine_version.startswith("16.")
    assert props["DBInstanceClass"] == {"dev": "db.t3.micro", "prod": "db.t3.small"}[config.name]
    assert (props["AllocatedStorage"], props["StorageType"]) == ("20", "gp3")
    assert int(props["MaxAllocatedStorage"]) > 20  # storage autoscaling
    assert props["StorageEncrypted"] is True


def test_multi_az_and_deletion_protection_per_environment(database, config):
    props = instance(database)["Properties"]
    prod = config.name == "prod"
    assert props["MultiAZ"] is prod
    assert props["DeletionProtection"] is prod
    assert instance(database)["DeletionPolicy"] == ("Snapshot" if prod else "Delete")


def test_backups_are_kept(database, config):
    assert instance(database)["Properties"]["BackupRetentionPeriod"] == config.database.backup_retention_days > 0


def test_runs_in_the_isolated_subnets_only(database):
    database.has_resource_properties(
        "AWS::RDS::DBSubnetGroup",
        {
            "SubnetIds": [
                {"Fn::ImportValue": Match.string_like_regexp("IsolatedSubnet1")},
                {"Fn::ImportValue": Match.string_like_regexp("IsolatedSubnet2")},
            ]
        },
    )
    assert instance(database)["Properties"]["PubliclyAccessible"] is False


def test_credentials_are_generated_into_secrets_manager(database, config):
    secret = database.to_json()["Resources"]["DatabaseSecret"]["Properties"]
    assert (
        secret["GenerateSecretString"]["SecretStringTemplate"] == f'{{"username":"{config.database.master_username}"}}'
    )
    password = instance(database)["Properties"]["MasterUserPassword"]
    assert "DatabaseSecret" in str(password)  # a dynamic reference, never a literal


def test_server_enforces_tls(database):
    database.has_resource_properties("AWS::RDS::DBParameterGroup", {"Parameters": {"rds.force_ssl": "1"}})
