"""Liveness (/health) and readiness (/health/ready)."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from messaging import health


def test_health_answers_without_touching_the_database(api):
    # No django_db mark: any database access here would fail the test.
    response = api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_passes_with_a_private_ip_host_not_in_allowed_hosts(api, settings):
    settings.ALLOWED_HOSTS = ["messages.example.com"]

    assert api.get("/health", HTTP_HOST="10.0.2.37:8080").status_code == 200
    # Everything else stays locked to the real host names.
    assert api.get("/messages", HTTP_HOST="10.0.2.37:8080").status_code == 400


def test_disallowed_host_is_a_json_400(api, settings):
    settings.ALLOWED_HOSTS = ["messages.example.com"]

    response = api.get("/messages", HTTP_HOST="evil.example.net")

    assert response.json()["errors"][0]["code"] == "bad_request"


@pytest.mark.django_db
def test_ready_reports_the_release(api, settings):
    settings.RELEASE_VERSION = "abc123"

    response = api.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "release": "abc123", "problems": []}


@pytest.mark.django_db
def test_not_ready_with_an_unapplied_migration(api, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    # The latest one, which nothing else depends on: as when a release's migration has not run yet.
    latest = MigrationRecorder(connection).migration_qs.filter(app="messaging").latest("id")
    latest.delete()

    response = api.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["problems"] == ["1 unapplied migration(s)"]


@pytest.mark.django_db
def test_not_ready_when_the_database_is_unreachable(api, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite is a file: it cannot be unreachable")
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    connection.close()
    try:
        response = api.get("/health/ready")
    finally:
        connection.close()

    assert response.status_code == 503
    assert response.json()["problems"] == ["database unreachable: OperationalError"]
