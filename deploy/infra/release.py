"""CodeDeploy blue/green for the web service: waits for the deploy command, rolls back on failure or alarm."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from deploy.config import AlarmMetric, EnvironmentConfig, TargetGroupColor
from deploy.infra.load_balancer import LoadBalancer
from deploy.infra.nag import nag_acknowledge


class BlueGreenRelease(Construct):
    """The CodeDeploy application and deployment group, and the alarms that stop a bad release."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        service: ecs.IBaseService,
        load_balancer: LoadBalancer,
    ) -> None:
        super().__init__(scope, construct_id)
        release = config.release
        # Every alarm's state change (into ALARM and back to OK) reaches whoever subscribes here.
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=config.alarm_topic_name, enforce_ssl=True)
        # enforce_ssl writes a topic policy holding only its Deny, and any topic policy replaces SNS's default
        # one (which lets the owner account publish): CloudWatch must then be allowed by name, or no alarm
        # is ever delivered. Scoped to this account's alarms against the confused deputy, as AWS advises:
        # https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
        self.topic.add_to_resource_policy(alarm_publish_statement(self.topic, config=config))
        nag_acknowledge(
            self.topic,
            rule="AwsSolutions-SNS2",
            reason="CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and "
            "alarm notifications carry no data beyond metric names and thresholds.",
        )
        # CodeDeploy alternates: after a release, the next replacement is the "blue" group. Both are on
        # the group, for deployments started elsewhere; bluegreen_deploy narrows each of its own deployments
        # to the replacement group's alarms (ADR 0009), so an incident on the live group does not stop a fix.
        self.alarms = [
            *self._alarms(TargetGroupColor.BLUE, load_balancer.blue_target_group, config=config),
            *self._alarms(TargetGroupColor.GREEN, load_balancer.green_target_group, config=config),
        ]
        for alarm in self.alarms:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.topic))
            alarm.add_ok_action(cloudwatch_actions.SnsAction(self.topic))
        self.application = codedeploy.EcsApplication(
            self, "Application", application_name=config.codedeploy_application_name
        )
        self.deployment_group = codedeploy.EcsDeploymentGroup(
            self,
            "DeploymentGroup",
            deployment_group_name=config.deployment_group_name,
            application=self.application,
            service=service,
            deployment_config=codedeploy.EcsDeploymentConfig.from_ecs_deployment_config_name(
                self, "Config", release.deployment_config_name
            ),
            blue_green_deployment_config=codedeploy.EcsBlueGreenDeploymentConfig(
                blue_target_group=load_balancer.blue_target_group,
                green_target_group=load_balancer.green_target_group,
                listener=load_balancer.production_listener,
                test_listener=load_balancer.test_listener,
                # Traffic stays on the original tasks until the deploy command has checked the new ones
                # through the test listener and continues the deployment; otherwise it stops and rolls back.
                deployment_approval_wait_time=Duration.minutes(release.ready_wait_minutes),
                termination_wait_time=Duration.minutes(release.termination_wait_minutes),
            ),
            alarms=self.alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        nag_acknowledge(
            self.deployment_group,
            rule="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]",
            reason="The AWS-maintained service role policy for CodeDeploy ECS blue/green; it tracks the "
            "ECS, ELB and CloudWatch actions CodeDeploy needs as AWS changes them.",
        )

    def _alarms(
        self, color: str, target_group: elbv2.ApplicationTargetGroup, *, config: EnvironmentConfig
    ) -> list[cloudwatch.Alarm]:
        release = config.release
        period = Duration.seconds(release.alarm_period_seconds)
        errors = target_group.metrics.http_code_target(
            elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period, statistic="Sum"
        )
        unhealthy = target_group.metrics.unhealthy_host_count(period=period, statistic="Maximum")
        common = {
            "evaluation_periods": release.alarm_evaluation_periods,
            "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
        }
        return [
            errors.create_alarm(
                self,
                f"{color.capitalize()}5xx",
                alarm_name=config.alarm_name(color, AlarmMetric.TARGET_5XX),
                alarm_description=f"{config.resource_name}: 5xx from the {color} target group's tasks",
                threshold=release.target_5xx_alarm_threshold,
                **common,
            ),
            unhealthy.create_alarm(
                self,
                f"{color.capitalize()}Unhealthy",
                alarm_name=config.alarm_name(color, AlarmMetric.UNHEALTHY_HOSTS),
                alarm_description=f"{config.resource_name}: unhealthy hosts in the {color} target group",
                threshold=release.unhealthy_host_alarm_threshold,
                **common,
            ),
        ]


def alarm_publish_statement(topic: sns.ITopic, *, config: EnvironmentConfig) -> iam.PolicyStatement:
    """CloudWatch may publish to ``topic`` on behalf of this environment's alarms in this account only."""
    stack = Stack.of(topic)
    alarms = stack.format_arn(
        service="cloudwatch",
        resource="alarm",
        resource_name=f"{config.resource_name}-*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return iam.PolicyStatement(
        sid="CloudWatchAlarmsPublish",
        principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions=["sns:Publish"],
        resources=[topic.topic_arn],
        conditions={"StringEquals": {"aws:SourceAccount": stack.account}, "ArnLike": {"aws:SourceArn": alarms}},
    )
