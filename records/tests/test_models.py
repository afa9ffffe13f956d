"""The invariants of records.models: what full_clean() refuses, whatever the entry point."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from records.models import Observation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    ["NaN", "sNaN", "-NaN", " nan ", "Infinity", "-Infinity", "inf", "1e999", "1E+400", "1e99999999999999999999999"],
)
def test_an_observation_value_that_is_a_number_must_be_finite(patient, nurse, value):
    observation = Observation(
        patient=patient,
        code="8867-4",
        name="Heart rate",
        value=value,
        reference_low=60,
        reference_high=100,
        observed_at=timezone.now(),
        recorded_by=nurse,
    )
    with pytest.raises(ValidationError) as refused:
        observation.full_clean()
    assert list(refused.value.message_dict) == ["value"]
    assert observation.is_outside_reference_range() is False


@pytest.mark.parametrize(("value", "abnormal"), [("72", False), ("130", True), ("1e2", False), ("positive", False)])
def test_finite_numbers_and_text_values_are_kept(patient, nurse, value, abnormal):
    observation = Observation(
        patient=patient,
        code="8867-4",
        name="Heart rate",
        value=value,
        reference_low=60,
        reference_high=120,
        observed_at=timezone.now(),
        recorded_by=nurse,
    )
    observation.full_clean()
    assert observation.is_outside_reference_range() is abnormal
