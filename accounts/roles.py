"""The roles of HealthPro, what each may do, and what includes what. Defined here, in code.

Roles are Django groups. `sync_roles()` makes the groups and their permissions match this
file exactly; a data migration runs it, and so does every later `migrate` (post_migrate), so a
permission of a model added later is granted as soon as its table exists.

Hierarchy: a role listed in INCLUDES gets every permission of the roles it includes. Only the
doctor includes another role (the nurse): whatever a nurse may do to a chart, a doctor may too.
No role includes admin or compliance, and neither of those includes a clinical role: the admin
manages accounts and the compliance officer reads the audit log, and neither reads clinical
content (least privilege; break-the-glass is the only way in, for them as for anyone).

Permissions on models that do not exist yet (later issues) are simply skipped until they do.
Object-level access (care team, self, break-the-glass) lives in records.policies, not here:
these permissions say what kind of thing a role may do at all.
"""

from enum import StrEnum

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission


class Role(StrEnum):
    ADMIN = "admin"
    DOCTOR = "doctor"
    NURSE = "nurse"
    RECEPTIONIST = "receptionist"
    COMPLIANCE = "compliance"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff_role(self) -> bool:
        """Staff roles must use MFA."""
        return self is not Role.PATIENT

    @property
    def uses_admin_site(self) -> bool:
        return self in (Role.ADMIN, Role.COMPLIANCE)


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.DOCTOR: "Doctor",
    Role.NURSE: "Nurse",
    Role.RECEPTIONIST: "Receptionist",
    Role.COMPLIANCE: "Compliance officer",
    Role.PATIENT: "Patient",
}

INCLUDES: dict[Role, list[Role]] = {
    Role.DOCTOR: [Role.NURSE],
}

# "app_label.codename" for each role's own permissions (before INCLUDES are added).
_OWN_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
        # compliance: the consent purposes and their texts
        "compliance.view_consentpurpose",
        "compliance.add_consentpurpose",
        "compliance.change_consentpurpose",
        "compliance.view_consentversion",
        "compliance.add_consentversion",
    ],
    Role.COMPLIANCE: [
        "audit.view_auditevent",
        "accounts.view_user",
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        # compliance
        "compliance.view_consentpurpose",
        "compliance.add_consentpurpose",
        "compliance.change_consentpurpose",
        "compliance.view_consentversion",
        "compliance.add_consentversion",
    ],
    Role.RECEPTIONIST: [
        "records.view_patient",
        "records.add_patient",
        "records.change_patient",
        "records.view_appointment",
        "records.add_appointment",
        "records.change_appointment",
        "records.view_careteammembership",
        "records.add_careteammembership",
        "records.change_careteammembership",
    ],
    Role.NURSE: [
        "records.view_patient",
        "records.view_encounter",
        "records.view_clinicalnote",
        "records.add_clinicalnote",
        "records.view_condition",
        "records.view_medication",
        "records.view_allergy",
        "records.add_allergy",
        "records.change_allergy",
        "records.view_observation",
        "records.add_observation",
        "records.change_observation",
        "records.view_appointment",
        "records.view_document",
        "records.add_document",
        "records.view_careteammembership",
        # records: may open a record outside the care team, with a reason.
        "records.add_breakglassaccess",
    ],
    Role.DOCTOR: [
        "records.add_encounter",
        "records.change_encounter",
        "records.change_clinicalnote",
        "records.sign_clinicalnote",
        "records.add_condition",
        "records.change_condition",
        "records.add_medication",
        "records.change_medication",
        "records.prescribe_medication",
        "records.add_careteammembership",
        "records.change_careteammembership",
        # records
        "records.delete_document",
    ],
    Role.PATIENT: [],
}


def permissions_for(role: Role) -> set[str]:
    """The role's own permissions and those of every role it includes, transitively."""
    granted = set(_OWN_PERMISSIONS[role])
    for included in INCLUDES.get(role, []):
        granted |= permissions_for(included)
    return granted


def sync_roles(*, group_model=None, permission_model=None) -> None:
    """Make each role's group hold exactly its permissions (those whose model exists)."""
    if group_model is None or permission_model is None:
        group_model, permission_model = Group, Permission
    for role in Role:
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = permissions_for(role)
        found = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                found.append(permission)
        group.permissions.set(found)


def sync_roles_after_migrate(sender, **kwargs):
    """post_migrate fires once per app, in INSTALLED_APPS order, and each app's permissions are
    created by its own firing: sync once, after the last app, when all of them exist."""
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last_app.label:
        # accounts is listed before django.contrib.auth (so that its createsuperuser wins), so this
        # receiver runs before auth's own for the last app: create every app's permissions first.
        for config in apps.get_app_configs():
            create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
        sync_roles()
