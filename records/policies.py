"""Who may see and change which patient's data: the access rules of the README's role table ("Who does what").

Two questions, answered here and nowhere else:

1. Which patients may `user` see at all (`visible_patients`)? Receptionists: every patient's
   demographics and appointments. Doctors and nurses: patients on their care team (an open
   membership) and those they hold an unexpired break-the-glass access to. A patient: their own
   record. Admin and compliance: none. Selectors build every list, search and lookup on this
   queryset, so a patient outside it answers 404 exactly like a missing one.
2. For a patient the user can see, on what ground (`purpose_for`: the audit purpose) and may they
   read or change a given kind of record (`can_read`, `can_write`)? Model permissions from
   accounts.roles say what a role may do at all; the purpose says for whom.

Break-the-glass gives read access only, for its duration; writes need the care team.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from records.models import BreakGlassAccess, CareTeamMembership, ClinicalNote, Patient

Purpose = AuditEvent.Purpose

CLINICAL_ROLES = frozenset({Role.DOCTOR, Role.NURSE})
# Record types that are demographics or scheduling, not clinical content.
ADMINISTRATIVE_RECORD_TYPES = frozenset({"patient", "appointment", "care_team"})
# What a patient may change about themselves in the portal.
PATIENT_CONTACT_FIELDS = ("email", "phone", "address", "emergency_contact", "preferred_language")
# What a patient may ask to have corrected (GDPR Art. 16): the demographics they see of their own
# record. The national identifier and the record's status are changed at the desk, on proof.
PATIENT_RECTIFIABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "gender",
    "email",
    "phone",
    "address",
    "emergency_contact",
    "preferred_language",
)


def role_of(user) -> Role | None:
    """The user's role, looked up once per user object (Role is read from the groups)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_records_role"):
        user._records_role = user.role
    return user._records_role


def care_team_patient_ids(user, *, at=None) -> QuerySet:
    at = at or timezone.now()
    return CareTeamMembership.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at), member=user, started_at__lte=at
    ).values("patient_id")


def break_glass_patient_ids(user, *, at=None) -> QuerySet:
    at = at or timezone.now()
    return BreakGlassAccess.objects.filter(user=user, started_at__lte=at, expires_at__gt=at).values("patient_id")


def visible_patients(user) -> QuerySet[Patient]:
    role = role_of(user)
    if role is Role.RECEPTIONIST:
        return Patient.objects.all()
    if role in CLINICAL_ROLES:
        return Patient.objects.filter(Q(id__in=care_team_patient_ids(user)) | Q(id__in=break_glass_patient_ids(user)))
    if role is Role.PATIENT:
        return Patient.objects.filter(user=user)
    return Patient.objects.none()


def is_on_care_team(user, patient) -> bool:
    return care_team_patient_ids(user).filter(patient_id=patient.pk).exists()


def active_break_glass(user, patient) -> BreakGlassAccess | None:
    now = timezone.now()
    return (
        BreakGlassAccess.objects.filter(user=user, patient=patient, started_at__lte=now, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def purpose_for(user, patient) -> str | None:
    """The ground on which `user` sees `patient` (an AuditEvent.Purpose), or None."""
    role = role_of(user)
    if role is Role.PATIENT:
        return Purpose.SELF if patient.user_id == user.pk else None
    if role is Role.RECEPTIONIST:
        return Purpose.ADMINISTRATION
    if role in CLINICAL_ROLES:
        if is_on_care_team(user, patient):
            return Purpose.CARE_TEAM
        if active_break_glass(user, patient) is not None:
            return Purpose.BREAK_THE_GLASS
    return None


def can_read(user, purpose: str | None, record_type: str) -> bool:
    """May a user who sees a patient on `purpose` read records of `record_type`?"""
    if purpose is None:
        return False
    if purpose == Purpose.SELF:
        return record_type != "care_team"
    if purpose == Purpose.ADMINISTRATION:
        return record_type in ADMINISTRATIVE_RECORD_TYPES
    return purpose in (Purpose.CARE_TEAM, Purpose.BREAK_THE_GLASS)


def can_write(user, purpose: str | None, permission: str) -> bool:
    """May the user, seeing the patient on `purpose`, use the model `permission` on them?"""
    if purpose not in (Purpose.CARE_TEAM, Purpose.ADMINISTRATION):
        return False
    return user.has_perm(permission)


def can_sign_note(user, purpose: str | None, note: ClinicalNote) -> bool:
    """Doctors sign any note of their care-team patients; a nurse signs only their own nursing notes."""
    if purpose != Purpose.CARE_TEAM or note.is_signed:
        return False
    if user.has_perm("records.sign_clinicalnote"):
        return True
    return note.kind == ClinicalNote.Kind.NURSING and note.author_id == user.pk


def can_end_membership(user, purpose: str | None, membership: CareTeamMembership) -> bool:
    """Receptionists manage care-team assignment: they end any membership. A doctor (the other role
    granted the change permission) ends only their own, to leave a patient's team; ending a
    colleague's, a nurse's included, is the reception's."""
    if not can_write(user, purpose, "records.change_careteammembership"):
        return False
    return purpose == Purpose.ADMINISTRATION or membership.member_id == user.pk


def note_kinds_for(user) -> list[str]:
    """Which kinds of note a user may write: physicians' notes are the doctors'."""
    role = role_of(user)
    if role is Role.DOCTOR:
        return [ClinicalNote.Kind.PHYSICIAN, ClinicalNote.Kind.NURSING]
    if role is Role.NURSE:
        return [ClinicalNote.Kind.NURSING]
    return []


def may_register_patient(user) -> bool:
    """Registration creates a patient, so there is no purpose yet: the model permission decides."""
    return user.has_perm("records.add_patient")


def may_break_glass(user) -> bool:
    return role_of(user) in CLINICAL_ROLES and user.has_perm("records.add_breakglassaccess")


def may_review_break_glass(user) -> bool:
    """Compliance officers review break-the-glass accesses. A role check, not a records
    permission: the compliance role holds no permission on clinical models (accounts.roles)."""
    return role_of(user) is Role.COMPLIANCE


def record_edit_permission(record_type) -> str:
    """The model permission a change of a `record_type` (records.record_types) record needs: a
    draft note is changed by its author, who needed the add permission to write it."""
    return record_type.add_permission if record_type.model is ClinicalNote else record_type.change_permission


def can_edit_record(user, purpose: str | None, record_type, record) -> bool:
    """Draft notes are changed by their author only (signed ones never); other records with the
    type's change permission."""
    if record_type.model is ClinicalNote:
        return purpose == Purpose.CARE_TEAM and not record.is_signed and record.author_id == user.pk
    return can_write(user, purpose, record_type.change_permission)


def can_amend_note(user, purpose: str | None, note: ClinicalNote) -> bool:
    """A signed note is amended (never changed) by a user who may write notes of its kind."""
    return note.is_signed and note.kind in note_kinds_for(user) and can_write(user, purpose, "records.add_clinicalnote")


def processing_allowed(queryset: QuerySet[Patient] | None = None) -> QuerySet[Patient]:
    """`queryset` (every patient by default) without those whose processing is restricted or
    objected to: reminder e-mails, research exports and any other optional processing build on it."""
    queryset = Patient.objects.all() if queryset is None else queryset
    return queryset.filter(processing_restricted=False)


def handles_data_subject_requests(user) -> bool:
    """Compliance officers handle data-subject requests: they read a patient's identifying
    demographics (never clinical content), restrict processing and apply corrections. A role
    check, as for break-the-glass reviews: the role holds no permission on clinical models."""
    return role_of(user) is Role.COMPLIANCE


def may_rectify(user) -> bool:
    """Who applies a patient's correction request: compliance officers, and receptionists (who edit
    demographics anyway)."""
    return handles_data_subject_requests(user) or role_of(user) is Role.RECEPTIONIST
