"""Guards for pages with patient data: a staff role and a verified second factor.

Use `verified_staff_required` on function views and `VerifiedStaffRequiredMixin` on class views.
Anonymous users go to sign-in; a staff user without the verified factor goes to the code step
(or enrollment); a signed-in user without a staff role gets 403.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts.policies import second_factor_page


def _refusal(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.requires_mfa:
        raise PermissionDenied
    if not user.is_verified():
        target = second_factor_page(user) or "accounts:mfa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
    return None


def verified_staff_required(view_func):
    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        return view_func(request, *args, **kwargs)

    return wrapped


class VerifiedStaffRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)
