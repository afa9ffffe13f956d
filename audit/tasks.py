"""Background jobs of audit: the scheduled chain check (the same check as `verify_audit_log`)."""

import logging

from celery import shared_task

from audit.verification import verify_chain

logger = logging.getLogger("healthpro.audit")


class AuditChainBroken(Exception):
    """The chain check found a bad row: the job fails, so it is logged and counted."""


@shared_task(name="audit.verify_audit_log")
def verify_audit_log() -> None:
    report = verify_chain()
    if not report.ok:
        raise AuditChainBroken(f"audit log chain broken at row {report.first_bad_id}")
    # The head hash goes to the log, and so off the host with it, as the command prints it.
    logger.info("Audit log intact: %s rows verified. Head hash: %s", report.rows_checked, report.head_hash)
