"""PostgreSQL on RDS in the isolated subnets, with generated credentials kept in Secrets Manager."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge

# Pinned: a changed logical ID would make CloudFormation replace the instance, i.e. lose the data.
INSTANCE_LOGICAL_ID = "DatabaseInstance"
SECRET_LOGICAL_ID = "DatabaseSecret"  # noqa: S105 - a CloudFormation logical ID, not a secret
APP_SECRET_LOGICAL_ID = "DatabaseAppSecret"  # noqa: S105 - likewise


class Database(Construct):
    """The app's database. ``secret`` (the master user, for migrations) and ``app_secret`` (the role the
    service connects as) each hold host, port, dbname, username and password as JSON fields."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        database = config.database
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(database.engine_version, database.engine_version.split(".")[0])
        )
        # Beyond the seed: the server refuses unencrypted connections, so TLS cannot be forgotten by a client.
        self.parameter_group = rds.ParameterGroup(self, "Parameters", engine=engine, parameters={"rds.force_ssl": "1"})
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_type=ec2.InstanceType(database.instance_class),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[security_group],
            port=database.port,
            database_name=database.database_name,
            credentials=rds.Credentials.from_generated_secret(database.master_username),
            parameter_group=self.parameter_group,
            allocated_storage=database.allocated_storage_gib,
            max_allocated_storage=database.max_allocated_storage_gib,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            multi_az=database.multi_az,
            backup_retention=Duration.days(database.backup_retention_days),
            deletion_protection=database.deletion_protection,
            removal_policy=RemovalPolicy.SNAPSHOT if database.snapshot_on_removal else RemovalPolicy.DESTROY,
            auto_minor_version_upgrade=False,
            cloudwatch_logs_exports=["postgresql"],
            publicly_accessible=False,
        )
        self.instance.node.default_child.override_logical_id(INSTANCE_LOGICAL_ID)
        # The instance exposes the secret through its attachment; the generated secret itself is pinned.
        self.secret = self.instance.secret
        generated_secret = self.instance.node.find_child("Secret")
        generated_secret.node.default_child.override_logical_id(SECRET_LOGICAL_ID)
        # The app's role: its password is generated here and given to the role by the migration step
        # (manage.py db_app_role); attached to the instance, the secret also carries host, port and dbname.
        app_secret = rds.DatabaseSecret(self, "AppSecret", username=database.app_username)
        app_secret.node.default_child.override_logical_id(APP_SECRET_LOGICAL_ID)
        self.app_secret = app_secret.attach(self.instance)
        if database.snapshot_on_removal:
            # The final snapshot keeps both roles' passwords: their secrets must outlive the instance too.
            generated_secret.apply_removal_policy(RemovalPolicy.RETAIN)
            app_secret.apply_removal_policy(RemovalPolicy.RETAIN)
        self._acknowledge(config)

    def _acknowledge(self, config: EnvironmentConfig) -> None:
        findings = {
            "AwsSolutions-SMG4": "Only the migration task uses the master secret, so it may be rotated at will "
            "(no running task holds it). The app role's secret is read by the service's tasks at start: a new "
            "password would lock out the running ones, so it is replaced deliberately, not on a schedule.",
            "AwsSolutions-RDS11": "5432 is reachable only from the ECS tasks' security group in isolated "
            "subnets; a non-default port adds no protection there.",
        }
        if not config.database.multi_az:
            findings["AwsSolutions-RDS3"] = f"{config.name}: single-AZ by the seed's cost table; prod runs Multi-AZ."
        if not config.database.deletion_protection:
            findings["AwsSolutions-RDS10"] = (
                f"{config.name}: disposable environment, deletion protection off so it can be torn down; "
                "prod has it on."
            )
        for rule, reason in findings.items():
            nag_acknowledge(self, rule=rule, reason=reason)
