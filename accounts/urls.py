from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]

# ---------------------------------------------------------------- signup, reset, invitations, sessions
from accounts import views_password, views_registration, views_sessions  # noqa: E402

urlpatterns += [
    path("signup/", views_registration.PatientSignupView.as_view(), name="signup"),
    path("signup/check-email/", views_registration.CheckEmailView.as_view(), name="signup_done"),
    path("signup/resend/", views_registration.ResendVerificationView.as_view(), name="verification_resend"),
    path("verify/<uidb64>/<token>/", views_registration.VerifyEmailView.as_view(), name="verify_email"),
    path("invitation/<uidb64>/<token>/", views_password.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("password/reset/", views_password.PasswordResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", views_password.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views_password.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/change/", views_password.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views_sessions.profile, name="profile"),
    path("sessions/", views_sessions.session_list, name="sessions"),
    path("sessions/end-others/", views_sessions.session_end_others, name="sessions_end_others"),
    path("sessions/<int:session_id>/end/", views_sessions.session_end, name="session_end"),
]

# ---- MFA pages
from accounts import mfa_views  # noqa: E402

urlpatterns += [
    path("mfa/verify/", mfa_views.MfaVerifyView.as_view(), name="mfa_verify"),
    path("mfa/setup/", mfa_views.MfaSetupView.as_view(), name="mfa_setup"),
    path("mfa/recovery-codes/", mfa_views.RecoveryCodesView.as_view(), name="mfa_recovery_codes"),
]
