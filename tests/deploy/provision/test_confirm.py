"""The confirmation prompt of prod provisioning and of every teardown."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import CommandError

from deploy.management.commands.provision import confirm


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_environment_s_name_typed_back_goes_on(monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "prod")
    confirm("provision changes prod", "prod")


def test_anything_else_is_a_refusal(monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    with pytest.raises(CommandError, match="not confirmed; nothing was changed"):
        confirm("provision changes prod", "prod")


def test_no_terminal_is_a_refusal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("prod\n"))
    with pytest.raises(CommandError, match="no terminal to confirm on; pass --yes"):
        confirm("provision changes prod", "prod")
