"""The VPC across two zones and the three security groups that chain internet → ALB → tasks → database."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge
from deploy.infra.retention import retention_days
from deploy.infra.validation import InvalidConfigError

# Pinned: renaming a construct must never make CloudFormation replace the VPC and everything in it.
VPC_LOGICAL_ID = "Vpc"


class Network(Construct):
    """Public subnets for the ALB and NAT, private ones for the tasks, isolated ones for the database."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        network = config.network
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(network.vpc_cidr),
            availability_zones=list(network.availability_zones),
            nat_gateways=network.nat_gateways,
            # Order matters: CDK hands out /24s in this order, which yields the seed's CIDRs.
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=network.subnet_mask
                ),
                ec2.SubnetConfiguration(
                    name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=network.subnet_mask
                ),
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=network.subnet_mask
                ),
            ],
        )
        self.vpc.node.default_child.override_logical_id(VPC_LOGICAL_ID)
        self._check_subnets(config)

        self.flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=retention_days(network.flow_log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group))

        self.alb_security_group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=self.vpc,
            description="ALB: HTTP/HTTPS from the internet",
            allow_all_outbound=False,
        )
        self.service_security_group = ec2.SecurityGroup(
            self, "ServiceSecurityGroup", vpc=self.vpc, description="ECS tasks: the app port from the ALB only"
        )
        self.database_security_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=self.vpc,
            description="RDS: PostgreSQL from the ECS tasks only",
            allow_all_outbound=False,
        )
        self._connect(config)

    def _connect(self, config: EnvironmentConfig) -> None:
        lb = config.load_balancer
        app_port = ec2.Port.tcp(config.service.container_port)
        db_port = ec2.Port.tcp(config.database.port)
        for port in (lb.production_port, lb.https_port):
            self.alb_security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(port), "Clients")
        for cidr in lb.test_listener_allowed_cidrs:
            self.alb_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(lb.test_port), "Test listener")
        self.alb_security_group.add_egress_rule(self.service_security_group, app_port, "To the tasks")
        self.service_security_group.add_ingress_rule(self.alb_security_group, app_port, "From the ALB")
        self.database_security_group.add_ingress_rule(self.service_security_group, db_port, "From the tasks")
        nag_acknowledge(
            self.alb_security_group,
            rule="AwsSolutions-EC23",
            reason="Internet-facing ALB: the listeners must accept any client address; the tasks stay private.",
        )

    def _check_subnets(self, config: EnvironmentConfig) -> None:
        network = config.network
        actual = {
            "public": tuple(s.ipv4_cidr_block for s in self.vpc.public_subnets),
            "private": tuple(s.ipv4_cidr_block for s in self.vpc.private_subnets),
            "isolated": tuple(s.ipv4_cidr_block for s in self.vpc.isolated_subnets),
        }
        for kind, cidrs in actual.items():
            expected = getattr(network, f"{kind}_subnet_cidrs")
            if cidrs != expected:
                raise InvalidConfigError(f"{kind} subnets would be {cidrs}, the configuration says {expected}")
