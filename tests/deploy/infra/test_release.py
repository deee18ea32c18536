"""CodeDeploy: names, blue/green with both listeners, the ready wait, rollbacks and alarms."""


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
