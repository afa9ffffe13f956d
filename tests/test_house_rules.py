"""tools/house_rules.py, which `make lint` runs: each rule catches its breach and passes clean code."""

import ast
from pathlib import Path

from tools.house_rules import ROOT, check, function_imports, merge_migration


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_an_import_inside_a_function_is_found_but_not_in_an_app_configs_ready():
    tree = ast.parse(
        "from django.apps import AppConfig\n"
        "def view(request):\n    from accounts.models import User\n    return User\n"
        "class AccountsConfig(AppConfig):\n    def ready(self):\n        from accounts import receivers  # noqa: F401\n"
        "class Other:\n    def ready(self):\n        import json\n"
    )
    assert function_imports(tree) == [(3, "view"), (10, "ready")]


def test_a_merge_migration_is_found_and_a_straight_one_is_not():
    merge = ast.parse('dependencies = [("accounts", "0003_web"), ("accounts", "0010_codes")]\noperations = []\n')
    straight = ast.parse('dependencies = [("accounts", "0010_codes"), ("audit", "0002_trigger")]\n')
    assert merge_migration(merge, "accounts") is True
    assert merge_migration(straight, "accounts") is False


def test_each_breach_is_reported_with_its_place(tmp_path):
    write(tmp_path, "mod.py", "import os\nfrom x import y  # noqa: E4" + "02\n# " + "-" * 10 + " accounts\n")
    problems = check([tmp_path])
    assert any("mod.py:2: a noqa for E402" in problem for problem in problems)
    assert any("mod.py:3: banner comment" in problem for problem in problems)


def test_a_layer_in_a_file_name_is_refused_inside_an_app_only(tmp_path):
    fake = ROOT / "records" / "views_fake_for_test.py"
    try:
        fake.write_text('"""x"""\n')
        problems = check([fake])
    finally:
        fake.unlink()
    assert problems == [
        "records/views_fake_for_test.py: a layer in the file name; use the layer's folder (views/mfa.py, receivers.py)"
    ]


def test_a_document_outside_the_repository_is_not_cited(tmp_path):
    write(tmp_path, "cited.py", '"""The access rules of ' + "ARCHITECTURE" + '.md section 1."""\n')
    write(tmp_path, "plain.py", '"""The access rules of the README\'s role table."""\n')
    problems = check([tmp_path])
    assert problems == [f"{tmp_path / 'cited.py'}:1: cites a document outside the repository; say the rule in words"]
