"""The password policy: 12 to 128 characters of any kind, common list, similarity, complexity with a
passphrase exemption, no reuse of the last 5. Each message says what to change."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import PasswordHistory, User


def errors_for(password, user=None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "Ab3-defghijk",  # exactly 12, four classes
        "abcdefgh12!?",  # three classes
        "correct horse battery staple",  # passphrase: 20+ characters, no other rule
        "Ünïcødé-πάσσωορδ-9",  # any characters
        "A1-" + "x" * 125,  # exactly 128
    ],
)
def test_passwords_that_meet_the_policy_are_accepted(password):
    assert errors_for(password) == []


def test_eleven_characters_are_too_short():
    assert any("at least 12 characters" in m for m in errors_for("Ab3-defghij"))


def test_more_than_128_characters_are_too_long_and_the_message_says_the_limit():
    assert errors_for("A1-" + "x" * 126) == ["This password is too long: use at most 128 characters."]


def test_a_common_password_is_refused_with_what_to_do_instead():
    assert errors_for("Password1234") == [
        "This password is too common: attackers try it first. Choose a less predictable one, for example a "
        "passphrase of several unrelated words."
    ]


def test_a_short_password_with_two_classes_is_refused_with_what_to_add():
    messages = errors_for("abcdefghij12")
    assert len(messages) == 1
    assert "at least 3 of lower-case letters, upper-case letters, digits and symbols" in messages[0]
    assert "no upper-case letters or symbols or spaces" in messages[0]
    assert "passphrase of 20 characters or more" in messages[0]


@pytest.mark.django_db
def test_a_password_like_the_users_own_name_or_address_is_refused():
    user = User(email="patient.7@example.test", full_name="Margaret Hamilton")
    assert errors_for("Margaret.Hamilton1", user=user) == [
        "This password is too similar to your full name: choose one that does not contain your name or e-mail address."
    ]


@pytest.mark.django_db
def test_the_last_five_passwords_cannot_be_reused_but_the_sixth_oldest_can(make_user):
    user = make_user()
    passwords = [f"Rotating-Passw0rd-{n}" for n in range(6)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5, "older entries are pruned"
    for recent in passwords[1:]:
        assert errors_for(recent, user=user) == [
            "You have used this password recently: choose one that differs from your last 5 passwords."
        ]
    assert errors_for(passwords[0], user=user) == []
    assert errors_for("A-brand-new-Passw0rd", user=user) == []


@pytest.mark.django_db
def test_the_history_keeps_hashes_only(make_user):
    user = make_user()
    user.set_password("Canary-Passw0rd-xyz")
    user.save()
    stored = list(PasswordHistory.objects.filter(user=user).values_list("password_hash", flat=True))
    assert stored and all("Canary-Passw0rd-xyz" not in value for value in stored)


@pytest.mark.django_db
def test_a_password_like_the_email_address_is_refused():
    user = User(email="gwendolyn.brooks@example.test", full_name="")
    assert errors_for("gwendolyn.brooks@example", user=user) == [
        "This password is too similar to your e-mail address: choose one that does not contain your name or "
        "e-mail address."
    ]


def test_a_long_run_of_digits_is_no_passphrase():
    assert "This password is entirely numeric." in errors_for("40718263951402738164")
