"""The ALB: internet-facing, production and test listeners, blue and green target groups."""

import pytest


def listeners(service) -> dict[int, dict]:
    return {
        r["Properties"]["Port"]: r["Properties"]
        for r in service.find_resources("AWS::ElasticLoadBalancingV2::Listener").values()
    }


def target_groups(service) -> dict[str, dict]:
    return service.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup")


def test_alb_is_internet_facing_in_the_public_subnets(service):
    (alb,) = service.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    props = alb["Properties"]
    assert props["Scheme"] == "internet-facing"
    assert [s["Fn::ImportValue"] for s in props["Subnets"]] == [
        s for s in (i["Fn::ImportValue"] for i in props["Subnets"]) if "PublicSubnet" in s
    ]


def test_production_listener_on_80_starts_on_blue_and_test_listener_on_8080_on_green(service):
    by_port = listeners(service)
    assert set(by_port) == {80, 8080}
    blue, green = (
        next(lid for lid in target_groups(service) if lid.startswith(f"LoadBalancer{c}")) for c in ("Blue", "Green")
    )
    assert by_port[80]["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": blue}}]
    assert by_port[8080]["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": green}}]
    assert {listener["Protocol"] for listener in by_port.values()} == {"HTTP"}


def test_target_groups_use_the_seeds_health_check(service):
    assert len(target_groups(service)) == 2
    for group in target_groups(service).values():
        props = group["Properties"]
        assert (props["Port"], props["Protocol"], props["TargetType"]) == (8080, "HTTP", "ip")
        assert props["HealthCheckPath"] == "/health"
        assert props["HealthCheckProtocol"] == "HTTP"
        assert props["HealthCheckIntervalSeconds"] == 30
        assert props["HealthyThresholdCount"] == 2
        assert props["UnhealthyThresholdCount"] == 3


def test_deregistration_delay_fits_short_requests(service, config):
    for group in target_groups(service).values():
        attributes = {a["Key"]: a["Value"] for a in group["Properties"]["TargetGroupAttributes"]}
        assert attributes["deregistration_delay.timeout_seconds"] == str(
            config.load_balancer.deregistration_delay_seconds
        )


@pytest.mark.parametrize("listener", ["LoadBalancerAlbProduction", "LoadBalancerAlbTest"])
def test_without_a_domain_each_listener_answers_the_admins_paths_itself(service, config, listener):
    # The admin's sign-in must not cross the internet in clear text, on the production listener nor on
    # the test one; operators use a port forward.
    assert config.domain is None
    rules = service.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule").values()
    (props,) = [r["Properties"] for r in rules if r["Properties"]["ListenerArn"]["Ref"].startswith(listener)]
    assert props["Priority"] == 1
    assert props["Conditions"] == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/admin", "/admin/*", "/*%*"]}}
    ]
    assert props["Actions"] == [
        {
            "Type": "fixed-response",
            "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "Not Found"},
        }
    ]
