"""Template context for the page shell (templates/base.html).

Only places a user's role may actually open are listed: no link leads to a page that would
refuse them. The 500 page does not use this (it renders without the request).
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    description: str
    current: bool = False


def nav_items_for(user, role: Role | None, path: str = "") -> list[NavItem]:
    """The navigation entries `user` (signed in, with `role`) may use, the one for `path` marked current."""
    entries = [("Dashboard", reverse("dashboard"), "Your start page.")]
    if role is not None and role.uses_admin_site and user.is_staff:
        entries.append(
            (
                "Administration",
                reverse("admin:index"),
                "Accounts, roles, authenticator resets and lockouts."
                if role is Role.ADMIN
                else "Accounts and sign-in records, read only.",
            )
        )
    # records
    if role in (Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE):
        entries.append(("Patients", reverse("records:search"), "Find a patient and open their chart."))
        entries.append(("Today", reverse("records:appointments-today"), "Today's appointments."))
    if role in (Role.DOCTOR, Role.NURSE):
        entries.append(("Break-the-glass", reverse("records:break-glass"), "Emergency access outside your care team."))
    if role is Role.COMPLIANCE:
        entries.append(
            ("Break-the-glass reviews", reverse("records:break-glass-reviews"), "Review emergency accesses.")
        )
    if role is Role.PATIENT:
        entries.append(
            ("My record", reverse("portal:home"), "Your record, appointments, documents and who opened them.")
        )
    # end records
    # compliance
    if role is Role.PATIENT:
        entries.append(
            (
                "My privacy",
                reverse("compliance:portal-privacy"),
                "Your consents, your privacy requests and your data.",
            )
        )
    if role is Role.COMPLIANCE:
        entries.append(("Privacy requests", reverse("compliance:request-queue"), "Data-subject requests to handle."))
        entries.append(("Legal holds", reverse("compliance:hold-list"), "Holds that block erasure and purges."))
        entries.append(("Incidents", reverse("compliance:incident-list"), "The incident register and its deadlines."))
        entries.append(
            ("Disclosures", reverse("compliance:accounting-list"), "Disclosures and the patients' accountings.")
        )
        entries.append(
            (
                "Data inventory",
                reverse("compliance:inventory"),
                "Every stored field: purpose, retention, erasure.",
            )
        )
    if role in (Role.DOCTOR, Role.NURSE):
        entries.append(("Record a disclosure", reverse("compliance:disclosure-new"), "A disclosure outside care."))
    if role is Role.PATIENT:
        entries.append(("Disclosures", reverse("portal-disclosures:own"), "Who your record was disclosed to."))
    # end compliance
    if role is not None and role.is_staff_role:
        entries.append(("API docs", reverse("api-docs"), "The REST API for connected systems."))
    # accounts: profile, password, sessions
    entries.append(("Your account", reverse("accounts:profile"), "Your details, password and active sessions."))
    return [
        NavItem(label, url, description, current=path == url if url == "/" else path.startswith(url))
        for label, url, description in entries
    ]


def navigation(request):
    """nav_items (list of NavItem), current_role (accounts.roles.Role or None), signup_enabled."""
    user = getattr(request, "user", None)
    # accounts: the login page links to self-registration only when it is on.
    signup_enabled = settings.SIGNUP_ENABLED
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_role": None, "signup_enabled": signup_enabled}
    role = user.role
    nav_items = nav_items_for(user, role, request.path)
    return {"nav_items": nav_items, "current_role": role, "signup_enabled": signup_enabled}
