import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.management.commands.seed_demo import demo_email
from accounts.models import User
from accounts.roles import Role
from records import selectors
from records.models import Patient


@pytest.mark.django_db
def test_demo_records_are_refused_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_records")
    assert not Patient.objects.exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_patients_are_fictional_on_the_demo_care_teams_and_idempotent():
    call_command("seed_demo")
    call_command("seed_demo_records")
    call_command("seed_demo_records")
    assert Patient.objects.count() == 12
    doctor = User.objects.get(email=demo_email(Role.DOCTOR))
    visible = selectors.patient_search(user=doctor, terms={}, limit=100)[0]
    assert len(visible) == 11  # one patient is outside every care team, for break-the-glass
    portal_user = User.objects.get(email=demo_email(Role.PATIENT))
    chart = selectors.patient_chart(user=portal_user, patient_id=Patient.objects.get(user=portal_user).pk)
    assert chart.sections["notes"] and chart.sections["observations"]
    assert all(patient.email.endswith("@example.invalid") for patient in Patient.objects.all())
