"""Every third-party module the project imports is pinned in a requirements file.

The app's code (everything but tests, conftest.py and tools/) must be covered by requirements.txt,
which is all a production install reads; tests and tools may rely on requirements-dev.txt too. A
module is mapped to the distribution that ships it with importlib.metadata, so `import jwt` needs
PyJWT and `from cryptography.fernet import Fernet` needs cryptography, even when another pinned
package happens to pull them in today.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "var", ".git", "node_modules", "__pycache__", "static", "templates"}
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements_file: Path) -> set[str]:
    """Distribution names in a requirements file and the files it includes with -r."""
    names = set()
    for line in requirements_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            names |= pinned(requirements_file.parent / line.split(maxsplit=1)[1])
        elif match := REQUIREMENT_NAME.match(line):
            names.add(normalized(match.group(1)))
    return names


def project_files() -> list[Path]:
    return [path for path in sorted(ROOT.rglob("*.py")) if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts)]


def is_test_or_tool(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or parts[0] == "tools" or path.name == "conftest.py" or path.name.startswith("test_")


def local_names() -> set[str]:
    return {path.stem if path.suffix == ".py" else path.name for path in ROOT.iterdir()}


def imported_top_level_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def unpinned_imports(*, tests_and_tools: bool, requirements: set[str]) -> list[str]:
    distributions = packages_distributions()
    local = local_names()
    missing = []
    for path in project_files():
        if is_test_or_tool(path) != tests_and_tools:
            continue
        for module in sorted(imported_top_level_modules(path)):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            shipped_by = {normalized(name) for name in distributions.get(module, [])}
            if not shipped_by & requirements:
                where = path.relative_to(ROOT)
                missing.append(f"{where}: {module} (distribution {', '.join(sorted(shipped_by)) or 'unknown'})")
    return missing


def test_the_app_imports_only_what_requirements_txt_pins():
    assert unpinned_imports(tests_and_tools=False, requirements=pinned(ROOT / "requirements.txt")) == []


def test_tests_and_tools_import_only_what_requirements_dev_txt_pins():
    assert unpinned_imports(tests_and_tools=True, requirements=pinned(ROOT / "requirements-dev.txt")) == []


def test_the_walk_sees_a_module_nobody_pinned():
    """Not vacuous: without cryptography's pin, the app's Fernet imports are reported."""
    requirements = pinned(ROOT / "requirements.txt") - {"cryptography"}
    missing = unpinned_imports(tests_and_tools=False, requirements=requirements)
    assert any(line.startswith("healthpro/env_checks.py: cryptography") for line in missing), missing
