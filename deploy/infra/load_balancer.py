"""The internet-facing ALB with a production and a test listener over a blue and a green target group."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge


class LoadBalancer(Construct):
    """CodeDeploy swaps which target group each listener forwards to; the template only sets the start.

    The production listener starts on blue and the test listener on green. CloudFormation must never
    rewrite these listeners after a release (it would send traffic back to a target group that may be
    empty), so their properties do not depend on anything that changes between deployments (ADR 0017).

    With a domain both listeners speak HTTPS with its certificate: production on 443 (port 80 only
    redirects there) and the test listener on its own port. Without one, production is plain HTTP on 80
    and answers the admin's paths itself, so the admin never crosses the internet in clear text.
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
        self.certificate = self._certificate(config) if config.domain else None
        protocol = elbv2.ApplicationProtocol.HTTPS if self.certificate else elbv2.ApplicationProtocol.HTTP
        tls = (
            {"certificates": [self.certificate], "ssl_policy": elbv2.SslPolicy.RECOMMENDED_TLS}
            if self.certificate
            else {}
        )
        # open=False: the Network's security group already holds the only ingress rules.
        self.production_listener = self.alb.add_listener(
            "Production",
            port=config.production_listener_port,
            protocol=protocol,
            open=False,
            default_target_groups=[self.blue_target_group],
            **tls,
        )
        self.test_listener = self.alb.add_listener(
            "Test",
            port=lb.test_port,
            protocol=protocol,
            open=False,
            default_target_groups=[self.green_target_group],
            **tls,
        )
        if self.certificate:
            self.alb.add_redirect(source_port=lb.production_port, target_port=lb.https_port, open=False)
        else:
            self._admin_not_served(config)
        nag_acknowledge(
            self.alb,
            rule="AwsSolutions-ELB2",
            reason="Every request is logged by the app to CloudWatch Logs with its status and latency; "
            "ALB access logs would add an S3 bucket (with its own logging) for no extra information.",
        )

    def _certificate(self, config: EnvironmentConfig) -> acm.ICertificate:
        """A certificate for the domain, validated by DNS in its hosted zone, and the name pointing here."""
        domain = config.domain
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=domain.hosted_zone_id, zone_name=domain.hosted_zone_name
        )
        route53.ARecord(
            self,
            "Alias",
            zone=zone,
            record_name=domain.name,
            target=route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(self.alb)),
        )
        return acm.Certificate(
            self, "Certificate", domain_name=domain.name, validation=acm.CertificateValidation.from_dns(zone)
        )

    def _admin_not_served(self, config: EnvironmentConfig) -> None:
        """The admin's sign-in would cross the internet in clear text: the ALB answers 404 for its paths.

        A listener rule, not the default action CodeDeploy rewrites: releases leave it as it is. On the test
        listener too, which is plain HTTP as well and opened to a CD runner's (possibly shared) address.
        """
        for construct_id, listener in (
            ("AdminNotServed", self.production_listener),
            ("AdminNotServedOnTest", self.test_listener),
        ):
            elbv2.ApplicationListenerRule(
                self,
                construct_id,
                listener=listener,
                priority=1,
                conditions=[elbv2.ListenerCondition.path_patterns(list(config.load_balancer.admin_path_patterns))],
                action=elbv2.ListenerAction.fixed_response(404, content_type="text/plain", message_body="Not Found"),
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
