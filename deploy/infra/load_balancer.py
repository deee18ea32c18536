"""The internet-facing ALB with a production and a test listener over a blue and a green target group."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge


class LoadBalancer(Construct):
    """CodeDeploy swaps which target group each listener forwards to; the template only sets the start.

    The production listener starts on blue and the test listener on green. CloudFormation must never
    rewrite these listeners after a release (it would send traffic back to a target group that may be
    empty), so their properties do not depend on anything that changes between deployments.
    """

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
        lb = config.load_balancer
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=security_group,
            drop_invalid_header_fields=True,
            deletion_protection=not config.disposable,
        )
        self.blue_target_group = self._target_group("Blue", config=config, vpc=vpc)
        self.green_target_group = self._target_group("Green", config=config, vpc=vpc)
        # open=False: the Network's security group already holds the only ingress rules.
        self.production_listener = self.alb.add_listener(
            "Production",
            port=lb.production_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            open=False,
            default_target_groups=[self.blue_target_group],
        )
        self.test_listener = self.alb.add_listener(
            "Test",
            port=lb.test_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            open=False,
            default_target_groups=[self.green_target_group],
        )
        nag_acknowledge(
            self.alb,
            rule="AwsSolutions-ELB2",
            reason="Every request is logged by the app to CloudWatch Logs with its status and latency; "
            "ALB access logs would add an S3 bucket (with its own logging) for no extra information.",
        )

    def _target_group(self, name: str, *, config: EnvironmentConfig, vpc: ec2.IVpc) -> elbv2.ApplicationTargetGroup:
        service = config.service
        return elbv2.ApplicationTargetGroup(
            self,
            name,
            vpc=vpc,
            port=service.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=Duration.seconds(config.load_balancer.deregistration_delay_seconds),
            health_check=elbv2.HealthCheck(
                path=service.health_path,
                protocol=elbv2.Protocol.HTTP,
                interval=Duration.seconds(service.health_check_interval_seconds),
                timeout=Duration.seconds(service.health_check_timeout_seconds),
                healthy_threshold_count=service.healthy_threshold,
                unhealthy_threshold_count=service.unhealthy_threshold,
                healthy_http_codes="200",
            ),
        )
