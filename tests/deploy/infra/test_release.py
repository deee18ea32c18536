"""CodeDeploy: names, blue/green with both listeners, the ready wait, rollbacks and alarms."""

import json

from deploy.config import AlarmMetric, StackOutput, TargetGroupColor


def deployment_group(service) -> dict:
    (group,) = service.find_resources("AWS::CodeDeploy::DeploymentGroup").values()
    return group["Properties"]


def test_application_and_group_names(service, config):
    service.has_resource_properties(
        "AWS::CodeDeploy::Application", {"ApplicationName": f"text-messaging-{config.name}", "ComputePlatform": "ECS"}
    )
    assert deployment_group(service)["DeploymentGroupName"] == f"text-messaging-{config.name}-dg"


def test_blue_green_over_both_target_groups_and_listeners(service):
    props = deployment_group(service)
    assert props["DeploymentStyle"] == {"DeploymentOption": "WITH_TRAFFIC_CONTROL", "DeploymentType": "BLUE_GREEN"}
    (pair,) = props["LoadBalancerInfo"]["TargetGroupPairInfoList"]
    groups = [g["Name"]["Fn::GetAtt"][0] for g in pair["TargetGroups"]]
    assert [
        g.startswith(prefix) for g, prefix in zip(groups, ("LoadBalancerBlue", "LoadBalancerGreen"), strict=True)
    ] == [True, True]
    assert pair["ProdTrafficRoute"]["ListenerArns"][0]["Ref"].startswith("LoadBalancerAlbProduction")
    assert pair["TestTrafficRoute"]["ListenerArns"][0]["Ref"].startswith("LoadBalancerAlbTest")


def test_traffic_waits_for_the_deploy_command_and_stops_otherwise(service, config):
    ready = deployment_group(service)["BlueGreenDeploymentConfiguration"]["DeploymentReadyOption"]
    assert ready == {"ActionOnTimeout": "STOP_DEPLOYMENT", "WaitTimeInMinutes": config.release.ready_wait_minutes}


def test_rolls_back_on_failure_and_on_alarm(service):
    rollback = deployment_group(service)["AutoRollbackConfiguration"]
    assert rollback["Enabled"] is True
    assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(rollback["Events"])


def alarms_on(service, color: str) -> dict[str, dict]:
    """Metric name → alarm, for the alarms watching one target group."""
    alarms = service.find_resources("AWS::CloudWatch::Alarm").values()
    found = {}
    for alarm in alarms:
        props = alarm["Properties"]
        group = next(d["Value"] for d in props["Dimensions"] if d["Name"] == "TargetGroup")
        if group["Fn::GetAtt"][0].startswith(f"LoadBalancer{color}"):
            found[props["MetricName"]] = props
    return found


def test_green_target_groups_5xx_and_unhealthy_hosts_alarms_are_watched(service):
    green = alarms_on(service, "Green")
    assert set(green) == {"HTTPCode_Target_5XX_Count", "UnHealthyHostCount"}
    watched = {a["Name"]["Ref"] for a in deployment_group(service)["AlarmConfiguration"]["Alarms"]}
    assert len(watched) == 4  # blue's too: the replacement alternates between the two groups
    assert deployment_group(service)["AlarmConfiguration"]["Enabled"] is True


def test_alarms_have_fixed_names_the_deploy_command_narrows_a_deployment_to(service, config):
    names = {alarm["Properties"]["AlarmName"] for alarm in service.find_resources("AWS::CloudWatch::Alarm").values()}
    assert names == {
        config.alarm_name(color, metric)
        for color in (TargetGroupColor.BLUE, TargetGroupColor.GREEN)
        for metric in (AlarmMetric.TARGET_5XX, AlarmMetric.UNHEALTHY_HOSTS)
    }


def test_every_alarm_state_change_goes_to_the_configured_topic(service, config):
    (topic_id,) = service.find_resources("AWS::SNS::Topic", {"Properties": {"TopicName": config.alarm_topic_name}})
    for alarm in service.find_resources("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": topic_id}]
        assert props["OKActions"] == [{"Ref": topic_id}]


def test_target_groups_are_outputs_so_a_release_can_tell_which_one_is_live(service):
    outputs = service.to_json()["Outputs"]
    assert outputs[StackOutput.BLUE_TARGET_GROUP_ARN]["Value"]["Ref"].startswith("LoadBalancerBlue")
    assert outputs[StackOutput.GREEN_TARGET_GROUP_ARN]["Value"]["Ref"].startswith("LoadBalancerGreen")


def topic_policy(service) -> list[dict]:
    (policy,) = service.find_resources("AWS::SNS::TopicPolicy").values()
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_cloudwatch_may_publish_alarms_to_the_topic_from_this_account_only(service, config):
    # Any topic policy replaces SNS's default one: without this Allow no alarm mail is ever sent.
    # https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    (topic_id,) = service.find_resources("AWS::SNS::Topic")
    (allow,) = [s for s in topic_policy(service) if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":cloudwatch:" in source_arn
    assert f":alarm:{config.resource_name}-*" in source_arn
    # Every alarm publishing there matches the pattern.
    for alarm in service.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmName"].startswith(f"{config.resource_name}-")


def test_the_topic_still_refuses_publishing_without_tls(service):
    (deny,) = [s for s in topic_policy(service) if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
