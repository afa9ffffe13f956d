"""End to end: a password of any characters up to 128 (spaces, accents,
emoji, right-to-left text) signs up, confirms and then signs in on the page and the API exactly
as typed; one character more is refused by the signup form with the limit in the message."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.helpers import only_link_to, sign_in

pytestmark = pytest.mark.django_db

# 128 characters: four classes, leading and trailing spaces kept, non-Latin scripts and emoji.
ANY_KIND = (" Ünïcødé pässwörð 🙂 مرحبا κωδικός 9! " * 4)[:127] + "Z"
EMAIL = "any.kind@example.test"


def signup(client, password):
    return client.post(
        reverse("accounts:signup"),
        {"full_name": "Ada Kind", "email": EMAIL, "password1": password, "password2": password},
    )


def test_a_128_character_password_of_any_kind_works_everywhere():
    assert len(ANY_KIND) == 128
    client = Client()
    assert signup(client, ANY_KIND).status_code == 302
    client.post(only_link_to(EMAIL, "/accounts/verify/"))
    assert User.objects.get(email=EMAIL).is_active

    assert sign_in(Client(), EMAIL, ANY_KIND).status_code == 302
    assert sign_in(Client(), EMAIL, ANY_KIND.strip()).status_code == 200, "the spaces are part of it"
    response = APIClient().post("/api/v1/auth/token/", {"email": EMAIL, "password": ANY_KIND}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"access", "refresh"}


def test_129_characters_are_refused_with_the_limit_in_the_message():
    response = signup(Client(), ANY_KIND + "x")
    assert response.status_code == 200
    assert "at most 128 characters" in response.content.decode()
    assert not User.objects.filter(email=EMAIL).exists()
