"""The authentication API: token pair, MFA step, refresh rotation and reuse, logout, me; every
attack on a token answers 401 in the JSON error shape; lockout answers 429 with Retry-After."""

import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from freezegun import freeze_time
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.roles import Role
from accounts.services.mfa import totp_device_confirm, totp_device_start
from accounts.services.tokens import token_pair_issue
from accounts.services.users import user_set_active
from accounts.tests.mfa_helpers import confirmed_device, totp_code, wrong_code
from audit.models import AuditEvent
from healthpro.tests.test_api import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.urls")]

TOKEN = "/api/v1/auth/token/"
TOKEN_MFA = "/api/v1/auth/token/mfa/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
STAFF_ONLY = "/api/v1/_test/staff-only/"


def obtain(api_client, email, password):
    return api_client.post(TOKEN, {"email": email, "password": password}, format="json")


def bearer(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def staff_pair(api_client, user, device) -> dict:
    challenge = obtain(api_client, user.email, "Correct-Horse-Battery-9").json()
    response = api_client.post(
        TOKEN_MFA, {"mfa_token": challenge["mfa_token"], "code": totp_code(device)}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_patient_without_mfa_gets_a_pair_whose_access_token_opens_me(api_client, make_user, password):
    patient = make_user(Role.PATIENT)
    response = obtain(api_client, patient.email.upper(), password)
    assert response.status_code == 200
    pair = response.json()
    access = claims(pair["access"])
    assert access["token_type"] == "access" and access["mfa"] is False
    assert access["aud"] == "healthpro-api" and access["iss"] == "healthpro"
    assert access["exp"] - access["iat"] == 5 * 60
    refresh = claims(pair["refresh"])
    assert refresh["exp"] - refresh["iat"] <= 24 * 3600
    me = bearer(api_client, pair["access"]).get(ME)
    assert me.status_code == 200
    assert me.json() == {
        "id": patient.pk,
        "email": patient.email,
        "full_name": patient.full_name,
        "role": "patient",
        "mfa_verified": False,
    }
    assert OutstandingToken.objects.get(jti=refresh["jti"]).token == "(not stored)"
    assert AuditEvent.objects.filter(action="auth.token_issue", actor_id=patient.pk).exists()


@pytest.mark.parametrize("case", ["wrong password", "unknown address", "inactive account"])
def test_wrong_credentials_and_inactive_accounts_get_the_same_401(api_client, make_user, password, case):
    user = make_user(Role.PATIENT)
    email, secret = user.email, password
    if case == "wrong password":
        secret = "not-the-password-123"
    elif case == "unknown address":
        email = "nobody@example.test"
    else:
        user_set_active(actor=None, user=user, active=False)
    error = error_of(obtain(api_client, email, secret), 401, "invalid_credentials")
    assert error["message"] == "The e-mail address or password is not correct."


def test_staff_without_an_authenticator_are_told_to_enrol_on_the_web(api_client, make_user, password):
    nurse = make_user(Role.NURSE)
    error = error_of(obtain(api_client, nurse.email, password), 403, "mfa_enrollment_required")
    assert "/accounts/login/" in error["message"]
    assert not OutstandingToken.objects.filter(user=nurse).exists()


def test_staff_with_an_authenticator_get_a_pair_only_after_the_code(api_client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    response = obtain(api_client, doctor.email, password)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"mfa_required", "mfa_token"} and body["mfa_required"] is True
    assert claims(body["mfa_token"])["exp"] - claims(body["mfa_token"])["iat"] == settings.MFA_TOKEN_SECONDS

    wrong = api_client.post(TOKEN_MFA, {"mfa_token": body["mfa_token"], "code": wrong_code(device)}, format="json")
    error_of(wrong, 401, "invalid_credentials")
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        ok = api_client.post(TOKEN_MFA, {"mfa_token": body["mfa_token"], "code": totp_code(device)}, format="json")
        assert ok.status_code == 200
        pair = ok.json()
        assert claims(pair["access"])["mfa"] is True
        assert bearer(api_client, pair["access"]).get(STAFF_ONLY).status_code == 200
        assert api_client.get(ME).json()["mfa_verified"] is True
        # The MFA token is single-use.
        api_client.credentials()
        again = api_client.post(
            TOKEN_MFA, {"mfa_token": body["mfa_token"], "code": totp_code(device, steps_ahead=1)}, format="json"
        )
        error_of(again, 401, "token_not_valid")


def test_an_unconfirmed_authenticator_does_not_count_for_the_api(api_client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    totp_device_start(user=doctor)
    error_of(obtain(api_client, doctor.email, password), 403, "mfa_enrollment_required")


def test_the_mfa_token_expires(api_client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    mfa_token = obtain(api_client, doctor.email, password).json()["mfa_token"]
    with freeze_time(timezone.now() + timedelta(seconds=settings.MFA_TOKEN_SECONDS + 1)):
        response = api_client.post(TOKEN_MFA, {"mfa_token": mfa_token, "code": totp_code(device)}, format="json")
    error_of(response, 401, "token_not_valid")


def test_a_token_without_the_mfa_claim_is_refused_by_staff_endpoints(api_client, make_user, password):
    patient = make_user(Role.PATIENT)
    pair = obtain(api_client, patient.email, password).json()
    error_of(bearer(api_client, pair["access"]).get(STAFF_ONLY), 403)
    # A staff member whose access token lacks the claim (issued before enrollment) is refused too.
    receptionist = make_user(Role.RECEPTIONIST)
    no_mfa = token_pair_issue(user=receptionist, mfa=False)
    error_of(bearer(api_client, no_mfa["access"]).get(STAFF_ONLY), 403)


def _patient_pair(api_client, make_user, password):
    patient = make_user(Role.PATIENT)
    return patient, obtain(api_client, patient.email, password).json()


def _forge(payload: dict, *, key=None, algorithm="HS256") -> str:
    return jwt.encode(payload, settings.SIMPLE_JWT["SIGNING_KEY"] if key is None else key, algorithm=algorithm)


@pytest.mark.parametrize(
    "attack",
    [
        "alg none",
        "wrong signature",
        "signed with SECRET_KEY",
        "edited payload",
        "expired",
        "issued in the future",
        "wrong audience",
        "wrong issuer",
        "refresh token as access token",
        "mfa token as access token",
        "inactive user",
    ],
)
def test_attacks_on_the_access_token_answer_401(api_client, make_user, password, attack):
    patient, pair = _patient_pair(api_client, make_user, password)
    payload = claims(pair["access"])
    now = int(timezone.now().timestamp())
    token = pair["access"]
    if attack == "alg none":
        token = jwt.encode(payload, key=None, algorithm="none")
    elif attack == "wrong signature":
        token = _forge(payload, key="x" * 64)
    elif attack == "signed with SECRET_KEY":
        token = _forge(payload, key=settings.SECRET_KEY)
    elif attack == "edited payload":
        other = make_user(Role.ADMIN)
        header, _payload, signature = token.split(".")
        edited = jwt.utils.base64url_encode(json.dumps({**payload, "user_id": str(other.pk), "mfa": True}).encode())
        token = f"{header}.{edited.decode()}.{signature}"
    elif attack == "issued in the future":
        token = _forge({**payload, "iat": now + 3600, "nbf": now + 3600, "exp": now + 4000})
    elif attack == "wrong audience":
        token = _forge({**payload, "aud": "another-service"})
    elif attack == "wrong issuer":
        token = _forge({**payload, "iss": "someone-else"})
    elif attack == "refresh token as access token":
        token = pair["refresh"]
    elif attack == "mfa token as access token":
        doctor = make_user(Role.DOCTOR)
        confirmed_device(doctor)
        token = obtain(api_client, doctor.email, password).json()["mfa_token"]
    elif attack == "inactive user":
        user_set_active(actor=None, user=patient, active=False)

    if attack == "expired":
        with freeze_time(timezone.now() + timedelta(minutes=5, seconds=1)):
            response = bearer(api_client, token).get(ME)
    else:
        response = bearer(api_client, token).get(ME)
    error_of(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_password_change_revokes_the_tokens_already_issued(api_client, make_user, password):
    patient, pair = _patient_pair(api_client, make_user, password)
    patient.set_password("A-new-password-2026!")
    patient.save(update_fields=["password"])
    error_of(bearer(api_client, pair["access"]).get(ME), 401)
    api_client.credentials()
    error_of(api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"), 401)


def test_refresh_rotates_and_reusing_a_rotated_token_revokes_every_refresh_token(api_client, make_user, password):
    patient, first = _patient_pair(api_client, make_user, password)
    other_device = obtain(api_client, patient.email, password).json()

    rotated = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh"] != first["refresh"]
    assert claims(second["access"])["mfa"] is False

    reuse = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    error_of(reuse, 401, "token_not_valid")
    event = AuditEvent.objects.get(action="auth.token_reuse")
    assert event.target_user_id == patient.pk and event.outcome == "denied"
    assert event.details == {"revoked_refresh_tokens": 2}
    for victim in (second["refresh"], other_device["refresh"]):
        error_of(api_client.post(REFRESH, {"refresh": victim}, format="json"), 401)
    assert first["refresh"] not in json.dumps(list(AuditEvent.objects.values("details")))


def test_refresh_keeps_the_mfa_claim_of_a_staff_session(api_client, make_user):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    pair = staff_pair(api_client, doctor, device)
    rotated = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").json()
    assert claims(rotated["access"])["mfa"] is True


@pytest.mark.parametrize("bad", ["access token", "garbage", "expired"])
def test_refresh_refuses_anything_but_a_live_refresh_token(api_client, make_user, password, bad):
    _, pair = _patient_pair(api_client, make_user, password)
    token = {"access token": pair["access"], "garbage": "abc.def.ghi", "expired": pair["refresh"]}[bad]
    if bad == "expired":
        with freeze_time(timezone.now() + timedelta(hours=24, seconds=1)):
            response = api_client.post(REFRESH, {"refresh": token}, format="json")
    else:
        response = api_client.post(REFRESH, {"refresh": token}, format="json")
    error_of(response, 401, "token_not_valid")


def test_logout_blacklists_the_refresh_token(api_client, make_user, password):
    patient, pair = _patient_pair(api_client, make_user, password)
    assert api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 204
    error_of(api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"), 401)
    error_of(api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json"), 401)
    assert AuditEvent.objects.filter(action="auth.token_logout", actor_id=patient.pk).exists()


def test_logout_everywhere_revokes_all_refresh_tokens(api_client, make_user, password):
    patient, first = _patient_pair(api_client, make_user, password)
    second = obtain(api_client, patient.email, password).json()
    response = api_client.post(LOGOUT, {"refresh": first["refresh"], "everywhere": True}, format="json")
    assert response.status_code == 204
    error_of(api_client.post(REFRESH, {"refresh": second["refresh"]}, format="json"), 401)


def test_bad_bodies_get_400_in_the_error_shape(api_client):
    for path in (TOKEN, TOKEN_MFA, REFRESH, LOGOUT):
        error_of(api_client.post(path, {}, format="json"), 400, "invalid")
    error_of(api_client.post(TOKEN, "not json", content_type="application/json"), 400)


def test_wrong_passwords_lock_the_api_with_429_and_retry_after(api_client, make_user, password):
    patient = make_user(Role.PATIENT)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        error_of(obtain(api_client, patient.email, "wrong-password-123"), 401)
    error = error_of(obtain(api_client, patient.email, "wrong-password-123"), 429, "locked_out")
    assert "locked" in error["message"]
    response = obtain(api_client, patient.email, password)
    error_of(response, 429, "locked_out")
    assert response["Retry-After"] == str(15 * 60)
    assert AuditEvent.objects.filter(action="auth.lockout", target_user_id=patient.pk).exists()


def test_wrong_codes_lock_the_mfa_step(api_client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    mfa_token = obtain(api_client, doctor.email, password).json()["mfa_token"]
    statuses = [
        api_client.post(TOKEN_MFA, {"mfa_token": mfa_token, "code": wrong_code(device)}, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = api_client.post(TOKEN_MFA, {"mfa_token": mfa_token, "code": totp_code(device)}, format="json")
    error_of(response, 429, "locked_out")


def test_the_auth_endpoints_are_throttled(api_client):
    statuses = [api_client.post(REFRESH, {"refresh": "x"}, format="json").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    error_of(api_client.post(REFRESH, {"refresh": "x"}, format="json"), 429, "throttled")


def test_enrolment_through_the_web_then_the_api_works(api_client, make_user, password):
    nurse = make_user(Role.NURSE)
    device = totp_device_start(user=nurse)
    totp_device_confirm(actor=nurse, device=device, code=totp_code(device))
    assert obtain(api_client, nurse.email, password).json()["mfa_required"] is True


def test_a_session_passes_staff_endpoints_only_when_verified_by_django_otp(client, make_user):
    doctor = make_user(Role.DOCTOR)
    client.force_login(doctor)
    error_of(client.get(STAFF_ONLY), 403)
    device = confirmed_device(doctor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get(STAFF_ONLY).status_code == 200


def test_an_unknown_address_is_locked_out_exactly_like_a_known_one(make_user):
    """The lockout answer reveals no more than a failure does."""
    known = make_user(Role.PATIENT)

    def answers(email, client_ip):
        client = APIClient(REMOTE_ADDR=client_ip)  # each its own throttle bucket
        return [
            (response.status_code, response.json()["error"]["code"], response.get("Retry-After"))
            for response in (obtain(client, email, "wrong-password-123") for _ in range(6))
        ]

    known_answers = answers(known.email, "198.51.100.1")
    assert known_answers == answers("nobody-here@example.test", "198.51.100.2")
    assert [status for status, _, _ in known_answers] == [401, 401, 401, 401, 429, 429]
