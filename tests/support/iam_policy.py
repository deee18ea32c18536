"""An IAM identity-policy evaluator for tests: does a policy allow one request (action, resource, context)?

Models what AWS documents for one identity policy and no other policy type
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): a request is
allowed when an Allow statement matches it and no Deny statement does. A statement matches when its
``Action`` (or ``NotAction``) matches the action, case-insensitively with ``*`` and ``?`` wildcards;
its ``Resource`` (or ``NotResource``) matches the resource ARN, case-sensitively with the same wildcards
(an action without resource-level permissions is requested on ``*``, which only ``*`` matches); and every
condition holds (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
the String, Arn and Bool operators, their ``IfExists`` forms, and a key absent from the request failing
every positive operator. An operator it does not know fails loudly rather than guess.

A policy comes from a synthesized CloudFormation template through ``template_policy``, which resolves the
intrinsic functions CDK writes (``Ref``, ``Fn::Join``, ``Fn::ImportValue``, ``Fn::GetAtt``, ``Fn::Select``,
``Fn::Split``, ``Fn::Sub`` without variables maps) against the values an emulated account gave them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Statement = Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """One authorization AWS makes for an API call: an API call may need several (dependent actions)."""

    action: str
    resource: str = "*"
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    # Why AWS asks for this one, when it is not the call's own action (the reference that says so).
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}" + (f" ({self.reason})" if self.reason else "")


class UnknownConditionError(Exception):
    """The policy uses a condition operator this evaluator does not model."""


def policy_allows(statements: Iterable[Statement], request: Request) -> bool:
    """Explicit deny wins, then an allow, else the implicit deny."""
    statements = list(statements)
    matching = [s for s in statements if _statement_matches(s, request)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)


def first_denied(statements: Iterable[Statement], requests: Iterable[Request]) -> Request | None:
    """The first of ``requests`` the policy does not allow, or ``None`` when it allows them all."""
    statements = list(statements)
    return next((request for request in requests if not policy_allows(statements, request)), None)


def _statement_matches(statement: Statement, request: Request) -> bool:
    return (
        _element_matches(statement, "Action", request.action, _action_matches)
        and _element_matches(statement, "Resource", request.resource, _resource_matches)
        and all(
            _condition_holds(operator, key, expected, request.context)
            for operator, keys in (statement.get("Condition") or {}).items()
            for key, expected in keys.items()
        )
    )


def _element_matches(statement: Statement, element: str, value: str, matches: Callable[[str, str], bool]) -> bool:
    """``Action``/``Resource`` must list a match; ``NotAction``/``NotResource`` must list none."""
    if element in statement:
        return any(matches(pattern, value) for pattern in _listed(statement[element]))
    if f"Not{element}" in statement:
        return not any(matches(pattern, value) for pattern in _listed(statement[f"Not{element}"]))
    # A statement without a Resource element is invalid as an identity policy, so it matches nothing.
    return False


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # fnmatch.translate would also give meaning to [...]; IAM has only * and ?.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"(?s:{regex})\\Z", re.IGNORECASE if ignore_case else 0)


def _action_matches(pattern: str, action: str) -> bool:
    return bool(_wildcard(pattern, ignore_case=True).match(action))


def _resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    if resource == "*":
        return False
    return bool(_wildcard(pattern, ignore_case=False).match(resource))


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda want, got: want == got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringLike": lambda want, got: bool(_wildcard(want, ignore_case=False).match(got)),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": lambda want, got: _resource_matches(want, got),
    "Bool": lambda want, got: str(want).lower() == str(got).lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, Any]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    # Condition keys are case-insensitive.
    found = {k.lower(): v for k, v in context.items()}.get(key.lower())
    if base in _NEGATED:
        if found is None:
            return True
        return not _condition_holds(_NEGATED[base], key, expected, context)
    if base not in _STRING_TESTS:
        raise UnknownConditionError(f"condition operator {operator} is not modelled")
    if found is None:
        return if_exists
    test = _STRING_TESTS[base]
    return any(test(str(want), str(got)) for want in _listed(expected) for got in _listed(found))


# Reading a policy from a synthesized template.


@dataclass(frozen=True)
class Intrinsics:
    """What the emulated account gave each name a template refers to."""

    refs: Mapping[str, str]
    imports: Callable[[str], str]
    attributes: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or not next(iter(value)).startswith(("Ref", "Fn::")):
            return {key: self.resolve(item) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            return self.refs[argument]
        if function == "Fn::ImportValue":
            return self.imports(self.resolve(argument))
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.attributes[(logical_id, attribute)]
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(str(self.resolve(part)) for part in parts)
        if function == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(index)]
        if function == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(separator)
        if function == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self.refs[m.group(1)], argument)
        raise ValueError(f"intrinsic function {function} is not modelled")


def template_policy(template: Mapping[str, Any], *, role_logical_id_prefix: str, intrinsics: Intrinsics) -> list[dict]:
    """The resolved statements of every ``AWS::IAM::Policy`` (and inline policy) attached to the role whose
    logical ID starts with ``role_logical_id_prefix``."""
    resources = template["Resources"]
    (role_id,) = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith(role_logical_id_prefix)
    ]
    statements: list[dict] = []
    for policy in resources[role_id]["Properties"].get("Policies") or []:
        statements += policy["PolicyDocument"]["Statement"]
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": role_id} in resource["Properties"].get("Roles", []):
            statements += resource["Properties"]["PolicyDocument"]["Statement"]
    return [intrinsics.resolve(statement) for statement in statements]


def without_action(statements: Iterable[Statement], action: str) -> list[dict]:
    """The policy with ``action`` taken out of every statement that lists it (one left with none is dropped)."""
    trimmed = []
    for statement in statements:
        if "Action" not in statement:
            trimmed.append(dict(statement))
            continue
        actions = [a for a in _listed(statement["Action"]) if a.lower() != action.lower()]
        if actions:
            trimmed.append({**statement, "Action": actions})
    return trimmed


def without_resource(statements: Iterable[Statement], action: str, resource: str) -> list[dict]:
    """The policy with ``resource`` taken out of every statement that grants ``action`` on it by name (one
    left with no resource is dropped): the action stays allowed on the statement's other resources."""
    trimmed = []
    for statement in statements:
        granted = [a.lower() for a in _listed(statement.get("Action", []))]
        resources = _listed(statement.get("Resource", []))
        if action.lower() in granted and resource in resources:
            kept = [r for r in resources if r != resource]
            if kept:
                trimmed.append({**statement, "Resource": kept})
            continue
        trimmed.append(dict(statement))
    return trimmed
