"""For sign-in: a wrong password, an unknown address, an inactive account and
an unverified one get the same answer from the login page and the token API, after the same
password-hashing work (no timing oracle from skipping the hash for an unknown address)."""

import re
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ActivationKind
from accounts.roles import Role
from accounts.services.users import user_set_active
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

CASES = ("wrong password", "unknown address", "inactive account", "unverified signup")
UNKNOWN = "nobody-here@example.test"


def credentials_for(case, make_user, password):
    user = make_user(Role.PATIENT)
    if case == "wrong password":
        return user.email, "Not-The-Password-123"
    if case == "unknown address":
        return UNKNOWN, password
    if case == "inactive account":
        user_set_active(actor=None, user=user, active=False)
    else:
        user.is_active = False
        user.activation_pending = ActivationKind.SIGNUP
        user.save(update_fields=["is_active", "activation_pending"])
    return user.email, password


def hashing_calls(send) -> int:
    """How many times the default hasher computes a hash while `send` runs: a check of a stored
    password and the dummy hash for an unknown address both compute exactly one."""
    default_hasher = type(hashers.get_hasher("default"))
    with mock.patch.object(default_hasher, "encode", autospec=True, side_effect=default_hasher.encode) as encode:
        send()
    return encode.call_count


def page_answer(response) -> tuple:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'value="[^"]*@[^"]*"', "", html)  # the address typed is shown back as typed
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', html)
    return response.status_code, tuple(errors), len(html)


@pytest.mark.parametrize("case", CASES)
def test_the_login_page_answers_the_same_after_the_same_hashing(case, make_user, password):
    reference_email, reference_secret = credentials_for("wrong password", make_user, password)
    email, secret = credentials_for(case, make_user, password)
    answers, calls = [], []
    for address, attempt in ((reference_email, reference_secret), (email, secret)):
        client, responses = Client(), []
        data = {"username": address, "password": attempt}
        calls.append(hashing_calls(lambda: responses.append(client.post(reverse("accounts:login"), data))))  # noqa: B023
        answers.append(page_answer(responses[0]))
        assert "_auth_user_id" not in client.session
    assert calls == [1, 1]
    assert answers[0][:2] == answers[1][:2]
    assert answers[0][0] == 200 and answers[0][1], "the form again, with its error"
    assert abs(answers[0][2] - answers[1][2]) < 40, "the page differs only by the address typed"


@pytest.mark.parametrize("case", CASES)
def test_the_token_api_answers_the_same_after_the_same_hashing(case, make_user, password):
    email, secret = credentials_for(case, make_user, password)
    responses = []
    calls = hashing_calls(
        lambda: responses.append(
            APIClient().post("/api/v1/auth/token/", {"email": email, "password": secret}, format="json")
        )
    )
    assert calls == 1
    error = error_of(responses[0], 401, "invalid_credentials")
    assert error["message"] == "The e-mail address or password is not correct."
    assert set(error) == {"status", "code", "message", "request_id"}
