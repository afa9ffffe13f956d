import pytest
from django.urls import reverse

from accounts.roles import Role


@pytest.mark.django_db
def test_the_profile_shows_name_email_role_and_links_to_password_and_sessions(client, make_user):
    user = make_user(Role.PATIENT, full_name="Ines Ortega", email="ines.ortega@example.test")
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Ines Ortega" in html and "ines.ortega@example.test" in html and "Patient" in html
    assert reverse("accounts:password_change") in html and reverse("accounts:sessions") in html
    assert 'aria-current="page">Your account</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["profile", "sessions", "password_change"])
def test_account_pages_need_a_signed_in_user(client, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_profile_escapes_the_users_name(client, make_user):
    client.force_login(make_user(full_name='<script>alert("x")</script>'))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
