"""The sessions API: a user lists and ends their own browser sessions, never someone else's."""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import UserSession
from accounts.tests.helpers import CHROME_MAC, browser, sign_in


def jwt_client(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return api_client


@pytest.mark.django_db
def test_the_api_lists_the_users_sessions(make_user, password, api_client):
    user = make_user()
    sign_in(browser(), user.email, password)
    sign_in(browser(CHROME_MAC, "198.51.100.20"), user.email, password)
    sign_in(browser(), make_user().email, password)  # someone else's

    response = jwt_client(api_client, user).get("/api/v1/auth/sessions/")

    assert response.status_code == 200
    body = response.json()
    assert {s["device"] for s in body} == {"Firefox on Windows", "Chrome on macOS"}
    assert set(body[0]) == {"id", "device", "ip_address", "started_at", "last_seen_at", "current"}
    assert not any(s["current"] for s in body), "a JWT request has no browser session of its own"


@pytest.mark.django_db
def test_the_api_marks_the_current_session_for_a_session_request(make_user, password):
    user = make_user()
    client = browser()
    sign_in(client, user.email, password)
    body = client.get("/api/v1/auth/sessions/").json()
    assert [s["current"] for s in body] == [True]


@pytest.mark.django_db
def test_the_api_ends_one_session_and_refuses_someone_elses(make_user, password, api_client):
    user, other = make_user(), make_user()
    victim_browser, user_browser = browser(), browser()
    sign_in(user_browser, user.email, password)
    sign_in(victim_browser, other.email, password)
    own = UserSession.objects.get(user=user)
    foreign = UserSession.objects.get(user=other)
    api = jwt_client(api_client, user)

    response = api.delete(f"/api/v1/auth/sessions/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert victim_browser.get(reverse("dashboard")).status_code == 200

    assert api.delete(f"/api/v1/auth/sessions/{own.pk}/").status_code == 204
    assert user_browser.get(reverse("dashboard")).status_code == 302
    assert api.delete(f"/api/v1/auth/sessions/{own.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_sessions_api_needs_authentication(api_client):
    response = api_client.get("/api/v1/auth/sessions/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
