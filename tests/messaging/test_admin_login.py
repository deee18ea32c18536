"""Admin login against password guessing: a client address is locked out after repeated failures."""

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(client, password, client_ip="203.0.113.9", username="admin"):
    return client.post(
        LOGIN, {"username": username, "password": password}, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {client_ip}"
    )


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "right-password-123")


def test_after_the_failure_limit_even_the_right_password_is_refused(client, admin, settings):
    failures = [attempt(client, "guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert failures == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the form again, then the lockout
    assert attempt(client, "right-password-123").status_code == 429


def test_lockout_is_per_client_address_not_per_user(client, admin, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "guess", username=f"user{n}")

    response = attempt(client, "right-password-123", client_ip="203.0.113.10")

    assert response.status_code == 302


def test_a_success_resets_the_count(client, admin, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "guess")
    assert attempt(client, "right-password-123").status_code == 302
    client.logout()

    assert attempt(client, "guess").status_code == 200
