"""`manage.py check --deploy` with production settings is clean, without silencing any check."""

from django.conf import settings

from healthpro.tests.startup import production_env, run_django

DEPLOY_CHECK = ["check", "--deploy", "--fail-level", "WARNING"]


def test_deploy_check_is_clean_with_production_settings():
    result = run_django(DEPLOY_CHECK, production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_check_catches_a_weakened_setting():
    """The clean result above is not vacuous: turning the HTTPS redirect off is reported."""
    result = run_django(DEPLOY_CHECK, production_env(SECURE_SSL_REDIRECT="False"))
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_no_system_check_is_silenced():
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])
