"""Signing in to the admin, and being kept out after too many wrong passwords."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_sign_in_without_next_lands_on_the_admin_index(client, editor):
    response = client.post("/admin/login/", {"username": "editor", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def sign_in(client, username, password, ip="203.0.113.5"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_from_that_address_with_a_message(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "editor", "wrong")
        assert response.status_code == 200  # the login form again, with Django's own error
    response = sign_in(client, "editor", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "locked for" in page and "15 minutes" in page
    # The right password is refused too while the lock lasts, with the same page.
    response = sign_in(client, "editor", "pw")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_leaves_other_addresses_and_other_accounts_alone(client, editor, moderator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "pw").status_code == 429
    assert sign_in(client, "moderator", "pw").status_code == 302
    client.logout()
    assert sign_in(client, "editor", "pw", ip="198.51.100.20").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "pw").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor", "wrong").status_code == 200
    assert sign_in(client, "editor", "pw").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "pw").status_code == 429
    # As if the failures had happened just over the cool-off ago.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert sign_in(client, "editor", "pw").status_code == 302


def test_test_client_login_still_works_without_a_request(client, editor):
    assert client.login(username="editor", password="pw")
