"""Tests of deploy.bluegreen and the bluegreen_deploy command."""
