"""Acknowledging a cdk-nag finding: always on one construct, always with the reason it is acceptable."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def nag_acknowledge(scope: IConstruct, *, rule: str, reason: str) -> None:
    """Suppress ``rule`` (e.g. ``AwsSolutions-EC23``, or one finding ``AwsSolutions-IAM5[Resource::*]``)."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
