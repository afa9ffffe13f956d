from django.urls import path

from accounts.views import mfa, passwords, registration, sessions, sign_in

app_name = "accounts"

urlpatterns = [
    path("login/", sign_in.LoginView.as_view(), name="login"),
    path("logout/", sign_in.LogoutView.as_view(), name="logout"),
    path("signup/", registration.PatientSignupView.as_view(), name="signup"),
    path("signup/check-email/", registration.CheckEmailView.as_view(), name="signup_done"),
    path("signup/resend/", registration.ResendVerificationView.as_view(), name="verification_resend"),
    path("verify/<uidb64>/<token>/", registration.VerifyEmailView.as_view(), name="verify_email"),
    path("invitation/<uidb64>/<token>/", passwords.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("password/reset/", passwords.PasswordResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/change/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", sessions.profile, name="profile"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/end-others/", sessions.session_end_others, name="sessions_end_others"),
    path("sessions/<int:session_id>/end/", sessions.session_end, name="session_end"),
    path("mfa/verify/", mfa.MfaVerifyView.as_view(), name="mfa_verify"),
    path("mfa/setup/", mfa.MfaSetupView.as_view(), name="mfa_setup"),
    path("mfa/recovery-codes/", mfa.RecoveryCodesView.as_view(), name="mfa_recovery_codes"),
]
