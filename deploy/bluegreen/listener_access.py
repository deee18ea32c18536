"""Who reaches the test listener during a release: the CD runner's own address, for the validation only.

The rule is added just before green is validated and removed on every way out of the validation; its
description names the release, and a release starting removes any rule an interrupted run left (ADR 0009).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import SecurityGroupGateway

# Every rule this command adds starts so; nothing else may, since the sweep removes whatever does.
RULE_DESCRIPTION_PREFIX = "bluegreen_deploy validation"
# EC2 accepts these characters in a rule description, up to 255 of them.
_DESCRIPTION_REFUSED = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")
_RELEASE_MAX = 128
# EC2 compares rules without their descriptions: the same protocol, ports and source again is refused.
DUPLICATE_RULE = "InvalidPermission.Duplicate"


@dataclass(frozen=True, kw_only=True)
class ListenerOpening:
    group_id: str
    port: int
    cidr: str


def rule_description(*, release: str, nonce: str) -> str:
    """E.g. ``bluegreen_deploy validation of v2 (3f2a1b9c0d4e)``: an operator sees which run added it."""
    return _DESCRIPTION_REFUSED.sub("_", f"{RULE_DESCRIPTION_PREFIX} of {release[:_RELEASE_MAX]} ({nonce})")


def leftover_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules added by earlier runs of this command (the ALB's own rules carry other descriptions)."""
    return [rule for rule in rules if (rule.get("Description") or "").startswith(RULE_DESCRIPTION_PREFIX)]


def admitting_rules(rules: list[dict[str, Any]], *, cidr: str, port: int) -> list[dict[str, Any]]:
    """Ingress rules that already let ``cidr`` reach TCP ``port`` (the stack's own, with CD_RUNNER_CIDRS, or
    anyone's): the listener is open to the runner without a rule of this command's."""
    wanted = ipaddress.ip_network(cidr)
    admitting = []
    for rule in rules:
        if rule.get("IpProtocol") not in {"tcp", "6", "-1"}:
            continue
        if rule.get("IpProtocol") != "-1" and not (rule.get("FromPort", -1) <= port <= rule.get("ToPort", -1)):
            continue
        source = rule.get("CidrIpv4") or rule.get("CidrIpv6")
        if not source:
            continue
        network = ipaddress.ip_network(source, strict=False)
        if network.version == wanted.version and wanted.subnet_of(network):
            admitting.append(rule)
    return admitting


def rule_summary(rule: dict[str, Any]) -> str:
    source = rule.get("CidrIpv4") or rule.get("CidrIpv6") or "?"
    return f"{rule['SecurityGroupRuleId']} ({source}, {rule.get('Description')!r})"


def listener_leftovers_remove(
    ec2: SecurityGroupGateway, *, group_id: str, progress: Progress, dry_run: bool = False
) -> None:
    """Remove the rules earlier runs left (a run killed outright cannot remove its own)."""
    leftovers = leftover_rules(ec2.ingress_rules(group_id))
    for rule in leftovers:
        verb = "would remove" if dry_run else "removing"
        progress(Event(Level.WARNING, f"  {verb} a rule an earlier run left: {rule_summary(rule)}"))
    if leftovers and not dry_run:
        ec2.revoke_ingress(group_id=group_id, rule_ids=[rule["SecurityGroupRuleId"] for rule in leftovers])


@contextmanager
def listener_opened(
    ec2: SecurityGroupGateway, *, opening: ListenerOpening, description: str, progress: Progress
) -> Iterator[None]:
    """Let ``opening.cidr`` reach the test listener inside the block; remove the rule however the block ends.

    A rule that already admits the address is left alone and nothing is added (EC2 would refuse the same
    rule again). The rule is found by its one-off description to remove it, so one added by a call whose
    answer was lost (a 5xx, then a refused retry) is removed too, and a rule this run did not add never is.
    """
    admitting = admitting_rules(ec2.ingress_rules(opening.group_id), cidr=opening.cidr, port=opening.port)
    if admitting:
        progress(
            Event(
                Level.INFO,
                f"  port {opening.port} of {opening.group_id} already admits {opening.cidr} "
                f"({rule_summary(admitting[0])}): nothing to open",
            )
        )
        yield
        return
    try:
        try:
            ec2.authorize_ingress(
                group_id=opening.group_id, cidr=opening.cidr, port=opening.port, description=description
            )
            progress(Event(Level.INFO, f"  opened port {opening.port} of {opening.group_id} to {opening.cidr}"))
        except AwsCallError as error:
            if error.code != DUPLICATE_RULE:
                raise
            # Someone added the same rule meanwhile: the listener is open, and that rule is not ours.
            progress(Event(Level.INFO, f"  port {opening.port} already admits {opening.cidr}: nothing to open"))
        yield
    finally:
        _close(ec2, opening=opening, description=description, progress=progress)


def _close(ec2: SecurityGroupGateway, *, opening: ListenerOpening, description: str, progress: Progress) -> None:
    """Never raises: a failure here must not hide why the block ended; the next release removes the rule."""
    try:
        rules = [rule for rule in ec2.ingress_rules(opening.group_id) if rule.get("Description") == description]
        if rules:
            ec2.revoke_ingress(group_id=opening.group_id, rule_ids=[rule["SecurityGroupRuleId"] for rule in rules])
    except AwsCallError as error:
        progress(
            Event(
                Level.ERROR,
                f"  could not close the test listener to {opening.cidr} ({error}); remove the rule described "
                f"{description!r} from {opening.group_id} (aws ec2 revoke-security-group-ingress), or the next "
                "release will",
            )
        )
        return
    if rules:
        progress(Event(Level.INFO, f"  closed port {opening.port} to {opening.cidr} again"))
