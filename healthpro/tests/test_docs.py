"""Every variable the settings read is documented: in .env.example and in the README's table."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "healthpro" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'_secret(?:_list)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    return names


def test_the_settings_read_variables():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "AUDIT_HMAC_KEY"} <= _variables_read_by_settings()


def test_every_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    missing = [name for name in _variables_read_by_settings() if not re.search(rf"^{name}=", example, re.M)]
    assert missing == []


def test_every_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in _variables_read_by_settings() if f"`{name}`" not in readme]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < readme.index("## Who does what")
    assert "make test" in readme
