from django.urls import path

from accounts.api import views

urlpatterns = [
    path("token/", views.TokenObtainApi.as_view(), name="api-auth-token"),
    path("token/mfa/", views.TokenMfaApi.as_view(), name="api-auth-token-mfa"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="api-auth-token-refresh"),
    path("logout/", views.LogoutApi.as_view(), name="api-auth-logout"),
    path("me/", views.MeApi.as_view(), name="api-auth-me"),
    path("sessions/", views.UserSessionListApi.as_view(), name="api-auth-sessions"),
    path("sessions/<int:session_id>/", views.UserSessionApi.as_view(), name="api-auth-session"),
]
