import pytest
from django.urls import reverse

from compliance.models import LegalHold
from compliance.selectors import legal_hold_active

pytestmark = pytest.mark.django_db


def test_an_officer_places_and_lifts_a_hold_from_the_pages(page_client, officer, subject):
    patient, _ = subject
    client = page_client(officer)

    response = client.post(
        reverse("compliance:hold-place"), {"mrn": patient.mrn, "reason": "Litigation: case 2026-114."}, follow=True
    )
    hold = LegalHold.objects.get()
    assert f"Legal hold #{hold.pk} placed" in str(next(iter(response.context["messages"])))
    assert legal_hold_active(patient.pk)
    assert "Litigation: case 2026-114." in client.get(reverse("compliance:hold-list")).content.decode()

    response = client.post(reverse("compliance:hold-lift", args=[hold.pk]), {f"lift-{hold.pk}-reason": ""})
    assert response.status_code == 400 and legal_hold_active(patient.pk)

    client.post(reverse("compliance:hold-lift", args=[hold.pk]), {f"lift-{hold.pk}-reason": "Case settled in court."})
    assert not legal_hold_active(patient.pk)
    assert "Case settled in court." in client.get(reverse("compliance:hold-list"), {"all": "1"}).content.decode()
    assert "Case settled" not in client.get(reverse("compliance:hold-list")).content.decode()


def test_an_unknown_mrn_or_a_short_reason_is_a_form_error(page_client, officer, subject):
    client = page_client(officer)
    response = client.post(reverse("compliance:hold-place"), {"mrn": "MRN99999999", "reason": "A good long reason."})
    assert response.context["form"].errors["mrn"]
    response = client.post(reverse("compliance:hold-place"), {"mrn": subject[0].mrn, "reason": "short"})
    assert response.context["form"].errors["reason"]
    assert LegalHold.objects.count() == 0
