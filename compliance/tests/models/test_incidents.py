"""The clocks of an incident, computed from the moment of awareness."""

import datetime

import pytest

from compliance.models import Incident
from compliance.models.incidents import annual_log_due

UTC = datetime.UTC
AWARE = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def incident(**fields) -> Incident:
    return Incident(**{"aware_at": AWARE, "status": Incident.Status.OPEN, **fields})


def by_key(item: Incident) -> dict:
    return {deadline.key: deadline for deadline in item.deadlines(linked=0)}


def test_the_authority_is_due_72_hours_after_awareness_and_individuals_60_days():
    deadlines = by_key(incident())
    assert deadlines["authority"].due_at == datetime.datetime(2026, 3, 13, 9, 30, tzinfo=UTC)
    assert deadlines["individuals"].due_at == datetime.datetime(2026, 5, 9, 9, 30, tzinfo=UTC)


def test_hhs_under_500_is_the_annual_log_60_days_after_year_end():
    assert by_key(incident(affected_count_estimate=499))["hhs"].due_at == datetime.datetime(2027, 3, 2, tzinfo=UTC)


def test_hhs_at_500_is_due_with_the_individuals():
    deadlines = by_key(incident(affected_count_estimate=500))
    assert deadlines["hhs"].due_at == deadlines["individuals"].due_at


def test_linked_patients_count_towards_the_500():
    item = incident(affected_count_estimate=3)
    assert {d.key: d for d in item.deadlines(linked=500)}["hhs"].due_at == AWARE + datetime.timedelta(days=60)


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        (datetime.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), datetime.datetime(2027, 3, 2, tzinfo=UTC)),
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC), datetime.datetime(2028, 3, 1, tzinfo=UTC)),
    ],
)
def test_annual_log_follows_the_calendar_year_of_discovery(aware, due):
    # 2028 is a leap year: 60 days after 31 December 2027 ends with 29 February.
    assert annual_log_due(aware) == due


def test_an_assessment_of_unlikely_risk_stops_the_gdpr_clock_only():
    deadlines = by_key(incident(gdpr_risk=Incident.GdprRisk.UNLIKELY))
    assert not deadlines["authority"].applies
    assert deadlines["individuals"].applies and deadlines["hhs"].applies


def test_a_low_probability_of_compromise_stops_the_hipaa_clocks_only():
    deadlines = by_key(incident(hipaa_outcome=Incident.HipaaOutcome.LOW_PROBABILITY))
    assert deadlines["authority"].applies
    assert not deadlines["individuals"].applies and not deadlines["hhs"].applies


def test_the_next_deadline_is_the_earliest_running_one():
    assert incident().next_deadline(linked=0).key == "authority"
    notified = incident(authority_notified_at=AWARE + datetime.timedelta(hours=5))
    assert notified.next_deadline(linked=0).key == "individuals"
    assert incident(status=Incident.Status.CLOSED).next_deadline(linked=0) is None


def test_overdue_once_the_due_time_is_reached_and_not_when_met():
    deadline = by_key(incident())["authority"]
    assert not deadline.is_overdue(deadline.due_at - datetime.timedelta(seconds=1))
    assert deadline.is_overdue(deadline.due_at)
    met = by_key(incident(authority_notified_at=AWARE))["authority"]
    assert not met.is_overdue(met.due_at + datetime.timedelta(days=1))


def test_unknown_data_categories_are_refused():
    item = incident(title="x", category="other", detection_method="other", detected_at=AWARE)
    item.data_categories = ["clinical", "horoscope"]
    with pytest.raises(Exception) as caught:
        item.clean()
    assert "horoscope" in str(caught.value)


def test_str_carries_no_title():
    assert "Laptop" not in str(incident(title="Laptop of Dr X", pk=7))
