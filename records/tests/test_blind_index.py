import datetime

import pytest
from django.test import override_settings

from records import selectors
from records.blind_index import blind_index, normalize_phone, normalize_text
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db


def test_normalization_folds_case_accents_and_spaces():
    assert normalize_text("  Zoë   MÜLLER-Núñez ") == "zoe muller-nunez"
    assert normalize_phone("+1 (555) 010-0001") == "+15550100001"
    assert blind_index("family_name", "Müller") == blind_index("family_name", "  muller ")


def test_the_field_name_separates_equal_values_and_the_key_matters():
    assert blind_index("family_name", "Morgan") != blind_index("given_name", "Morgan")
    before = blind_index("family_name", "Morgan")
    with override_settings(BLIND_INDEX_KEYS=["another-key-entirely-0123456789"]):
        assert blind_index("family_name", "Morgan") != before
    assert len(before) == 64


def test_search_is_exact_per_term_and_combinable(receptionist):
    target = register_patient(family_name="Ørsted-Lund", given_name="Élodie", date_of_birth=datetime.date(1970, 5, 6))
    register_patient(family_name="Ørsted-Lund", given_name="Bjørn", date_of_birth=datetime.date(1970, 5, 6))
    register_patient(family_name="Orsted", given_name="Élodie", date_of_birth=datetime.date(1971, 5, 6))

    def search(**terms):
        return {patient.pk for patient in selectors.patient_search(user=receptionist, terms=terms)[0]}

    assert len(search(family_name="orsted-lund")) == 0  # Ø is a letter, not an accented O
    assert len(search(family_name="ørsted-lund")) == 2
    assert search(family_name="ØRSTED-LUND", given_name="elodie") == {target.pk}
    assert search(family_name="Ørsted-Lund", date_of_birth="1970-05-06", given_name="Élodie") == {target.pk}
    assert search(family_name="Ørsted") == set()  # exact, not prefix
    assert search(mrn=target.mrn.lower()) == {target.pk}
    assert search(email=target.email.upper()) == {target.pk}
    assert search(phone=target.phone.replace(" ", "-")) == {target.pk}
