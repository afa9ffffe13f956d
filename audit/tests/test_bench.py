from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.services import record_security_event


@pytest.mark.django_db
def test_bench_prints_its_figures_and_leaves_the_log_as_it_was():
    record_security_event(action="auth.login")
    out = StringIO()
    call_command("bench_audit", "--events", "50", stdout=out)
    assert "audit write per event: mean" in out.getvalue()
    assert "chain intact" in out.getvalue()
    assert AuditEvent.objects.count() == 1
