"""The records API asks staff for the second factor, whichever way they authenticate: the `mfa`
claim of an access token, or a verified session. Patients read their own record with a password."""

import pytest
from rest_framework.test import APIClient

from accounts.services.tokens import token_pair_issue

pytestmark = pytest.mark.django_db


def _bearer(user, *, mfa: bool) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user, mfa=mfa)['access']}")
    return client


def test_a_doctor_token_issued_after_the_code_step_reads_the_chart(doctor, patient):
    response = _bearer(doctor, mfa=True).get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200


def test_a_doctor_token_without_the_second_factor_is_refused(doctor, patient):
    client = _bearer(doctor, mfa=False)
    for url in (f"/api/v1/patients/{patient.pk}/", "/api/v1/patients/"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert patient.family_name not in response.content.decode()


def test_a_doctor_session_that_stopped_at_the_password_is_refused(doctor, patient):
    client = APIClient()
    client.force_login(doctor)
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 403


def test_a_patient_reads_their_own_record_with_a_password_only_token(patient_user, patient):
    response = _bearer(patient_user, mfa=False).get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200
