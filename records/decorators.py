"""The guards of the records pages: who may open them at all (`roles_required`) and the patient
check that runs before anything else (`patient_visible`); the rules themselves are in
records.policies. The API's equivalents are its permission class and PatientScopedApi.

Staff roles must have passed their second factor (django-otp's `is_verified()`); patients sign
in with their password. Anonymous users are sent to the login page; a staff user who still owes
the second factor to the code step or to enrolment, as accounts.decorators does (the
SecondFactorRequiredMiddleware normally sends them there before any view runs).
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts.policies import second_factor_page
from accounts.roles import Role
from records.policies import role_of
from records.selectors import patient_for

# Who may open which pages (roles_required); what they then see is records.policies' answer.
ALL_ROLES = tuple(Role)
STAFF_WITH_PATIENTS = (Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE)
CLINICIANS = (Role.DOCTOR, Role.NURSE)


def _is_signed_in_for_records(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    role = role_of(user)
    if role is not None and role.is_staff_role:
        return bool(getattr(user, "is_verified", lambda: False)())
    return True


def roles_required(*roles: Role):
    """Signed in (staff: with a verified second factor) and holding one of `roles`; else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not _is_signed_in_for_records(request):
                target = second_factor_page(request.user) or "accounts:mfa_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def patient_visible(view):
    """404 for a patient the user may not see, before anything else (the method included), so
    that such a patient answers exactly like a missing one to every request."""

    @wraps(view)
    def wrapped(request, patient_id, *args, **kwargs):
        patient_for(user=request.user, patient_id=patient_id, action=request.method.lower())
        return view(request, patient_id, *args, **kwargs)

    return wrapped
