"""Two requests of the same kind opened at once (a double click, two tabs): on PostgreSQL one is
stored, the others are refused with the duplicate message, and none is a server error."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from compliance.models import DataSubjectRequest
from compliance.services import requests as services
from compliance.tests.factories import patient_with_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_duplicate_requests_store_one_and_refuse_the_rest():
    _, account = patient_with_account()
    attempts = 12
    start = threading.Barrier(attempts)

    def open_one(_):
        start.wait()
        try:
            services.request_open(actor=account, kind="erasure")
            return "stored"
        except ValidationError as error:
            return "duplicate" if "already an open request" in str(error) else repr(error)
        except Exception as error:  # any other error is what the test reports
            return repr(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        outcomes = list(pool.map(open_one, range(attempts)))

    print(f"\n{attempts} parallel duplicate requests: {sorted(outcomes)}")
    assert outcomes.count("stored") == 1
    assert outcomes.count("duplicate") == attempts - 1
    assert DataSubjectRequest.objects.filter(kind="erasure").count() == 1
