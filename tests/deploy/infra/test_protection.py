"""dev is disposable (torn down and re-created under the same names); prod is kept and protected."""

from tests.deploy.infra.conftest import resources_of


def test_stacks_are_termination_protected_in_prod_only(synthesis, config):
    stacks = [a for a in synthesis.manifest()["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    protection = {stack["properties"].get("terminationProtection", False) for stack in stacks}
    assert protection == {not config.disposable}
    assert config.disposable == (config.name == "dev")


def test_fixed_name_log_group_goes_with_a_disposable_stack(service, config):
    (group,) = resources_of(service, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["LogGroupName"] == config.log_group_name
    assert group["DeletionPolicy"] == ("Delete" if config.disposable else "Retain")


def test_alb_deletion_protection_in_prod_only(service, config):
    (alb,) = resources_of(service, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == ("false" if config.disposable else "true")


def test_database_secret_is_kept_with_the_final_snapshot(database, config):
    resources = database.to_json()["Resources"]
    kept = (resources["DatabaseInstance"]["DeletionPolicy"], resources["DatabaseSecret"]["DeletionPolicy"])
    assert kept == (("Delete", "Delete") if config.disposable else ("Snapshot", "Retain"))
