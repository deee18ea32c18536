"""Tests of provision and teardown."""
