"""Who may do what with privacy rights: the rules of compliance, asked by its views, API and services.

Data-subject requests and legal holds: a patient opens, reads and withdraws their own requests
(the selectors scope them to the record linked to their account); compliance officers work the
queue, record requests received by letter or at the desk, and place and lift legal holds; a
correction is applied by a compliance officer or a receptionist (records.policies.may_rectify).
Compliance officers see the demographics needed to tell who a requester is, never clinical records.
"""

from accounts.roles import Role
from records import policies as records_policies


def may_open_own_request(user) -> bool:
    return records_policies.role_of(user) is Role.PATIENT


def may_work_requests(user) -> bool:
    return records_policies.handles_data_subject_requests(user)


def may_apply_rectification(user) -> bool:
    return records_policies.may_rectify(user)


def may_manage_legal_holds(user) -> bool:
    return records_policies.handles_data_subject_requests(user)


def may_be_assigned_requests(user) -> bool:
    """Requests are assigned to active compliance officers only."""
    return user is not None and user.is_active and records_policies.role_of(user) is Role.COMPLIANCE
