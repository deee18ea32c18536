"""VPC, subnets, NAT, flow logs and the only ingress rules of the whole system."""

import pytest

from deploy.config import StackPart
from tests.deploy.infra.conftest import _template


def subnets(network) -> dict[str, dict]:
    return {
        props["CidrBlock"]: props
        for props in (r["Properties"] for r in network.find_resources("AWS::EC2::Subnet").values())
    }


def test_vpc_cidr_and_pinned_logical_id(network, config):
    vpc = network.to_json()["Resources"]["Vpc"]
    assert vpc["Type"] == "AWS::EC2::VPC"
    assert vpc["Properties"]["CidrBlock"] == config.network.vpc_cidr == "10.0.0.0/16"


def test_six_subnets_at_the_seeds_cidrs_in_zones_a_and_c(network):
    expected = {
        "10.0.0.0/24": "ap-northeast-1a",
        "10.0.1.0/24": "ap-northeast-1c",
        "10.0.2.0/24": "ap-northeast-1a",
        "10.0.3.0/24": "ap-northeast-1c",
        "10.0.4.0/24": "ap-northeast-1a",
        "10.0.5.0/24": "ap-northeast-1c",
    }
    assert {cidr: props["AvailabilityZone"] for cidr, props in subnets(network).items()} == expected


def test_only_public_subnets_map_public_ips(network):
    public = {cidr for cidr, props in subnets(network).items() if props.get("MapPublicIpOnLaunch")}
    assert public == {"10.0.0.0/24", "10.0.1.0/24"}


def test_nat_gateways_per_environment(network, config):
    expected = {"dev": 1, "prod": 2}[config.name]
    network.resource_count_is("AWS::EC2::NatGateway", expected)


def default_routes(network) -> dict[str, dict]:
    """Route table logical ID → its 0.0.0.0/0 route."""
    routes = network.find_resources("AWS::EC2::Route")
    return {r["Properties"]["RouteTableId"]["Ref"]: r["Properties"] for r in routes.values()}


def route_table_of(network, cidr) -> str:
    subnet_id = next(
        lid for lid, r in network.find_resources("AWS::EC2::Subnet").items() if r["Properties"]["CidrBlock"] == cidr
    )
    associations = network.find_resources("AWS::EC2::SubnetRouteTableAssociation").values()
    return next(
        a["Properties"]["RouteTableId"]["Ref"] for a in associations if a["Properties"]["SubnetId"]["Ref"] == subnet_id
    )


@pytest.mark.parametrize("cidr", ["10.0.4.0/24", "10.0.5.0/24"])
def test_isolated_subnets_have_no_route_out(network, cidr):
    assert route_table_of(network, cidr) not in default_routes(network)


@pytest.mark.parametrize("cidr", ["10.0.2.0/24", "10.0.3.0/24"])
def test_private_subnets_leave_through_nat_only(network, cidr):
    route = default_routes(network)[route_table_of(network, cidr)]
    assert "NatGatewayId" in route
    assert "GatewayId" not in route


def test_vpc_flow_logs_go_to_cloudwatch_with_retention(network, config):
    network.has_resource_properties("AWS::EC2::FlowLog", {"ResourceType": "VPC", "TrafficType": "ALL"})
    network.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": config.network.flow_log_retention_days})


def security_group_names(network) -> dict[str, str]:
    names = {"Alb": "alb", "Service": "ecs", "Database": "rds"}
    return {
        lid: next(v for k, v in names.items() if lid.startswith(f"Network{k}SecurityGroup"))
        for lid in network.find_resources("AWS::EC2::SecurityGroup")
    }


def all_ingress(env) -> set[tuple]:
    """Every ingress rule in every stack as (group, protocol, from port, to port, source)."""
    network = _template(env, StackPart.NETWORK)
    names = security_group_names(network)
    rules = set()
    for part in (StackPart.NETWORK, StackPart.DATABASE, StackPart.SERVICE, StackPart.GITHUB, StackPart.REGISTRY):
        template = _template(env, part)
        for lid, group in template.find_resources("AWS::EC2::SecurityGroup").items():
            for rule in group["Properties"].get("SecurityGroupIngress", []):
                rules.add((names[lid], rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIp"]))
        for rule in template.find_resources("AWS::EC2::SecurityGroupIngress").values():
            p = rule["Properties"]
            source = names[p["SourceSecurityGroupId"]["Fn::GetAtt"][0]]
            rules.add((names[p["GroupId"]["Fn::GetAtt"][0]], p["IpProtocol"], p["FromPort"], p["ToPort"], source))
    return rules


def test_ingress_is_internet_to_alb_to_ecs_to_rds_and_nothing_else(env):
    assert all_ingress(env) == {
        ("alb", "tcp", 80, 80, "0.0.0.0/0"),
        ("alb", "tcp", 443, 443, "0.0.0.0/0"),
        # No 8080 from anywhere: bluegreen_deploy opens it to the CD runner for each validation only.
        ("ecs", "tcp", 8080, 8080, "alb"),
        ("rds", "tcp", 5432, 5432, "ecs"),
    }


def test_egress_alb_to_tasks_only_and_database_nowhere(network):
    groups = security_group_names(network)
    by_name = {name: lid for lid, name in groups.items()}
    rds_egress = network.to_json()["Resources"][by_name["rds"]]["Properties"]["SecurityGroupEgress"]
    assert rds_egress == [
        {
            "CidrIp": "255.255.255.255/32",
            "Description": "Disallow all traffic",
            "FromPort": 252,
            "IpProtocol": "icmp",
            "ToPort": 86,
        }
    ]
    alb_egress = [r["Properties"] for r in network.find_resources("AWS::EC2::SecurityGroupEgress").values()]
    assert [
        (e["GroupId"]["Fn::GetAtt"][0], e["FromPort"], e["DestinationSecurityGroupId"]["Fn::GetAtt"][0])
        for e in alb_egress
    ] == [(by_name["alb"], 8080, by_name["ecs"])]


def test_test_listener_admits_only_the_configured_cd_runner_addresses():
    import dataclasses

    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from deploy.config import get_config
    from deploy.infra.stacks import NetworkStack

    dev = get_config("dev")
    config = dataclasses.replace(
        dev, load_balancer=dataclasses.replace(dev.load_balancer, test_listener_allowed_cidrs=("203.0.113.7/32",))
    )
    stack = NetworkStack(cdk.App(), "Network", config=config, env=cdk.Environment(region=config.region))
    (alb,) = [
        group["Properties"]
        for lid, group in Template.from_stack(stack).find_resources("AWS::EC2::SecurityGroup").items()
        if lid.startswith("NetworkAlbSecurityGroup")
    ]
    port = config.load_balancer.test_port
    assert [rule["CidrIp"] for rule in alb["SecurityGroupIngress"] if rule["FromPort"] == port] == ["203.0.113.7/32"]
