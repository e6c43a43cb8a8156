"""Signing in to the admin, and being kept out after too many wrong passwords."""

import pytest

pytestmark = pytest.mark.django_db


def test_sign_in_without_next_lands_on_the_admin_index(client, editor):
    response = client.post("/admin/login/", {"username": "editor", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200
