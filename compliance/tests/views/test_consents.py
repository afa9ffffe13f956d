"""The "My privacy" page and the staff paper-consent page: one action either way, a message after
each, and the attacks refused (someone else's patient, a forged purpose, a stale version)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import Role
from compliance.models import ConsentDecision, ConsentPurpose
from compliance.services.consents import consent_version_publish

pytestmark = pytest.mark.django_db

REMINDERS = ConsentPurpose.EMAIL_REMINDERS
PRIVACY = reverse("compliance:portal-privacy")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _answer(client, url, *, decision, version=1, purpose=REMINDERS):
    return client.post(url, {"purpose": purpose, "version": version, "decision": decision})


def test_the_page_lists_each_purpose_as_needing_an_answer(verified, patient):
    response = verified(patient.user).get(PRIVACY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "E-mail appointment reminders" in body and "Needs your answer" in body
    assert 'value="given"' in body and 'value="withdrawn"' not in body


def test_give_then_withdraw_in_one_action_each(verified, patient):
    client = verified(patient.user)

    given = _answer(client, PRIVACY, decision="given")
    assert given.status_code == 302 and given["Location"] == PRIVACY
    assert _messages(given) == ["Consent given: E-mail appointment reminders."]
    page = client.get(PRIVACY).content.decode()
    assert 'value="withdrawn"' in page

    withdrawn = _answer(client, PRIVACY, decision="withdrawn")
    assert _messages(withdrawn) == ["Consent withdrawn: E-mail appointment reminders."]
    assert list(ConsentDecision.objects.values_list("decision", "channel")) == [
        ("given", "portal"),
        ("withdrawn", "portal"),
    ]


def test_withdrawing_a_consent_never_given_says_so_and_changes_nothing(verified, patient):
    response = _answer(verified(patient.user), PRIVACY, decision="withdrawn")
    assert response.status_code == 302
    assert _messages(response) == ["This consent was not given, so there is nothing to withdraw."]
    assert not ConsentDecision.objects.exists()


def test_a_stale_version_says_the_text_changed(verified, patient, compliance_officer):
    consent_version_publish(
        actor=compliance_officer, purpose=ConsentPurpose.objects.get(key=REMINDERS), text="New wording."
    )
    response = _answer(verified(patient.user), PRIVACY, decision="given", version=1)
    assert "version 2 is current" in _messages(response)[0]
    assert not ConsentDecision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "no-such-purpose", "version": 1, "decision": "given"},
        {"purpose": REMINDERS, "version": "x", "decision": "given"},
        {"purpose": REMINDERS, "version": 1, "decision": "maybe"},
        {"purpose": REMINDERS, "version": 2**40, "decision": "given"},
        {},
    ],
)
def test_forged_answers_are_a_message_never_a_500(verified, patient, data):
    response = verified(patient.user).post(PRIVACY, data)
    assert response.status_code == 302
    assert _messages(response)
    assert not ConsentDecision.objects.exists()


def test_a_patient_without_a_record_sees_the_no_record_page(verified, make_user):
    response = verified(make_user(Role.PATIENT)).get(PRIVACY)
    assert response.status_code == 200
    assert "portal/no_record.html" in [template.name for template in response.templates]


def test_the_staff_page_records_a_paper_consent_with_who_recorded_it(verified, receptionist, patient):
    url = reverse("compliance:patient-consents", kwargs={"patient_id": patient.pk})
    client = verified(receptionist)
    assert client.get(url).status_code == 200

    response = _answer(client, url, decision="given")

    assert response.status_code == 302 and response["Location"] == url
    assert _messages(response) == ["Consent given: E-mail appointment reminders."]
    decision = ConsentDecision.objects.get()
    assert (decision.patient, decision.channel, decision.recorded_by) == (patient, "paper", receptionist)


def test_a_doctor_outside_the_care_team_gets_404_on_every_method(verified, make_user, patient):
    outsider = make_user(Role.DOCTOR)
    url = reverse("compliance:patient-consents", kwargs={"patient_id": patient.pk})
    client = verified(outsider)
    assert client.get(url).status_code == 404
    assert _answer(client, url, decision="given").status_code == 404
    assert not ConsentDecision.objects.exists()


def test_a_missing_patient_is_the_same_404(verified, receptionist):
    url = reverse("compliance:patient-consents", kwargs={"patient_id": 999_999})
    assert verified(receptionist).get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.PATIENT, Role.ADMIN])
def test_patients_and_admins_may_not_open_the_staff_page(verified, make_user, patient, role):
    url = reverse("compliance:patient-consents", kwargs={"patient_id": patient.pk})
    client = verified(patient.user if role is Role.PATIENT else make_user(role))
    assert client.get(url).status_code == 403
    assert _answer(client, url, decision="given").status_code == 403
    assert not ConsentDecision.objects.exists()


def test_the_chart_links_to_the_consent_page(verified, receptionist, patient):
    chart = verified(receptionist).get(reverse("records:chart", kwargs={"patient_id": patient.pk}))
    assert reverse("compliance:patient-consents", kwargs={"patient_id": patient.pk}) in chart.content.decode()


def test_the_patients_navigation_points_at_my_privacy(verified, patient):
    page = verified(patient.user).get(reverse("dashboard")).content.decode()
    assert f'href="{PRIVACY}"' in page


def test_script_in_a_purpose_text_is_inert(verified, patient, compliance_officer):
    consent_version_publish(
        actor=compliance_officer,
        purpose=ConsentPurpose.objects.get(key=REMINDERS),
        text="<script>alert(1)</script>",
    )
    body = verified(patient.user).get(PRIVACY).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
