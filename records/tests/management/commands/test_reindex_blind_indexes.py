"""reindex_blind_indexes: a BLIND_INDEX_KEYS rotation. Search finds every patient before, during
and after the reindex, and once the old key is removed; the run is batched and resumable."""

import io
import secrets

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from core.key_fingerprints import key_fingerprint
from records import selectors
from records.blind_index import blind_index_under
from records.models import Patient
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db
OLD_KEY = secrets.token_urlsafe(32)
NEW_KEY = secrets.token_urlsafe(32)


@pytest.fixture
def old_patients(settings, receptionist):
    settings.BLIND_INDEX_KEYS = [OLD_KEY]
    return [register_patient(actor=receptionist, family_name=f"Rotation{n}") for n in range(5)]


def found(user, patients) -> bool:
    """Every patient is found by MRN, by family name and by date of birth and family name."""
    for patient in patients:
        for terms in (
            {"mrn": patient.mrn},
            {"family_name": patient.family_name},
            {"family_name": patient.family_name, "date_of_birth": patient.date_of_birth.isoformat()},
        ):
            if [hit.pk for hit in selectors.patient_search(user=user, terms=terms)[0]] != [patient.pk]:
                return False
    return True


def reindex(*args) -> str:
    out = io.StringIO()
    call_command("reindex_blind_indexes", *args, stdout=out)
    return out.getvalue()


def test_search_works_before_during_and_after_the_reindex_and_without_the_old_key(settings, receptionist, old_patients):
    assert found(receptionist, old_patients)
    settings.BLIND_INDEX_KEYS = [NEW_KEY, OLD_KEY]
    assert found(receptionist, old_patients), "rows still under the old key are found"
    newcomer = register_patient(actor=receptionist, family_name="Arrivedduring")
    assert Patient.objects.get(pk=newcomer.pk).mrn_index == blind_index_under(NEW_KEY, "mrn", newcomer.mrn)
    everyone = [*old_patients, newcomer]
    assert found(receptionist, everyone)

    output = reindex("--batch-size", "2")
    assert found(receptionist, everyone)
    assert output.count("checked,") == 3 + 1, output  # three batches of at most 2, then the total
    assert "6 patients checked, 5 rewritten" in output

    settings.BLIND_INDEX_KEYS = [NEW_KEY]
    assert found(receptionist, everyone)
    stored = str(list(Patient.objects.values(*(f"{name}_index" for name in Patient.SEARCHABLE_FIELDS))))
    assert blind_index_under(OLD_KEY, "mrn", old_patients[0].mrn) not in stored


def test_without_the_reindex_removing_the_old_key_loses_search(settings, receptionist, old_patients):
    settings.BLIND_INDEX_KEYS = [NEW_KEY]
    assert not found(receptionist, old_patients[:1])


def test_the_reindex_resumes_after_an_id_and_rewrites_nothing_twice(settings, receptionist, old_patients):
    settings.BLIND_INDEX_KEYS = [NEW_KEY, OLD_KEY]
    second_id = old_patients[1].pk
    assert "3 patients checked, 3 rewritten" in reindex("--after-id", str(second_id))
    assert f"done up to id {old_patients[-1].pk}" in reindex("--after-id", str(second_id))
    assert "5 patients checked, 2 rewritten" in reindex()
    assert "5 patients checked, 0 rewritten" in reindex()
    settings.BLIND_INDEX_KEYS = [NEW_KEY]
    assert found(receptionist, old_patients)


def test_the_reindex_is_audited_by_fingerprint_without_the_key(settings, old_patients):
    settings.BLIND_INDEX_KEYS = [NEW_KEY, OLD_KEY]
    output = reindex()
    event = AuditEvent.objects.filter(action="keys.blind_index_reindex").get()
    assert event.details == {"rows": 5, "rewritten": 5, "key": key_fingerprint(NEW_KEY)}
    assert NEW_KEY not in output and OLD_KEY not in output and NEW_KEY not in str(event.details)
