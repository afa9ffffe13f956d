"""Django admin behind django-otp: a verified second factor is required to enter."""

from django.contrib import admin
from django_otp.admin import OTPAdminSite

from accounts.admin import LockoutAwareOTPAdminAuthenticationForm


class HealthProAdminSite(OTPAdminSite):
    site_header = "HealthPro administration"
    site_title = "HealthPro admin"
    index_title = "Administration"
    # Wrong codes count towards the lockout, as on the sign-in pages.
    login_form = LockoutAwareOTPAdminAuthenticationForm


def install_otp_admin_site() -> None:
    # Swapping the class of the default site keeps every app's admin.site.register() working.
    admin.site.__class__ = HealthProAdminSite
