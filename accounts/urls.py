from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]

# ---- MFA pages (issue #3, accounts-api)
from accounts import mfa_views  # noqa: E402

urlpatterns += [
    path("mfa/verify/", mfa_views.MfaVerifyView.as_view(), name="mfa_verify"),
    path("mfa/setup/", mfa_views.MfaSetupView.as_view(), name="mfa_setup"),
    path("mfa/recovery-codes/", mfa_views.RecoveryCodesView.as_view(), name="mfa_recovery_codes"),
]
