"""compliance's background jobs: ids in, the service's work done, run as the scheduler runs them."""

import pytest
from django.core.exceptions import ValidationError

from compliance.models import DataExport
from compliance.services.requests import request_complete
from compliance.tests.factories import verified_request

pytestmark = pytest.mark.django_db


def test_completing_an_access_request_builds_the_patients_export_through_the_job(subject, officer):
    patient, account = subject
    request = verified_request(account, officer, kind="access")

    request_complete(actor=officer, request_id=request.pk)

    export = DataExport.objects.get(patient=patient)
    assert export.request_id == request.pk
    assert export.status == DataExport.Status.READY


def test_completing_it_again_is_refused_and_builds_nothing_more(subject, officer):
    patient, account = subject
    request = verified_request(account, officer, kind="access")
    request_complete(actor=officer, request_id=request.pk)
    with pytest.raises(ValidationError):
        request_complete(actor=officer, request_id=request.pk)
    assert DataExport.objects.filter(patient=patient).count() == 1
