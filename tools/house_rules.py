"""The house rules of ARCHITECTURE-style layout that ruff and import-linter cannot see (run by `make lint`).

- no import inside a function, except in an AppConfig's ready() and in migrations: a circle of
  imports is fixed by moving names to the floor that needs them, not hidden in a function;
- no noqa comment for E402 (an import in the middle of a module);
- no merge migration (two parents in its own app): migrations stay one line per app;
- a module grows into a package of the same name, never into a name prefix or suffix
  (views_password.py, mfa_models.py, api_sessions.py), and receivers live in receivers.py only;
- no banner comments marking where code was appended (`# ----`, `# ====`);
- no reference to a design document outside the repository (the steering documents beside it):
  a docstring says the rule in words.

Usage: python tools/house_rules.py [PATH ...]   (default: the repository root). Exit 1 on a breach.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "var", ".git", "node_modules", "__pycache__", "static", "templates"}
# The apps, whose modules are named by layer (core/ and healthpro/ are plumbing and roof).
APPS = ("audit", "accounts", "records", "compliance")
LAYER_NAMES = ("views", "forms", "models", "services", "selectors", "policies", "api", "admin", "signals", "tasks")
PREFIXED = re.compile(rf"^(?:({'|'.join(LAYER_NAMES)})_\w+|\w+_({'|'.join(LAYER_NAMES)}))\.py$")
BANNER = re.compile(r"^\s*#\s*(?:-{4,}|={4,}|\*{4,})")
OUTSIDE_DOCUMENT = re.compile(r"\b(?:ARCHITECTURE|SECURITY)\.md\b|\.\./shared/")
NOQA_E402 = re.compile(r"#\s*noqa:[^\n]*\bE4" r"02\b")


def python_files(paths):
    for base in paths:
        base = Path(base)
        if base.is_file():
            yield base
            continue
        for path in sorted(base.rglob("*.py")):
            if not SKIP_DIRS.intersection(path.relative_to(base).parts):
                yield path


def _is_app_config_ready(node, parents) -> bool:
    if node.name != "ready" or not parents or not isinstance(parents[-1], ast.ClassDef):
        return False
    return any(getattr(base, "id", getattr(base, "attr", "")) == "AppConfig" for base in parents[-1].bases)


def function_imports(tree):
    """(line, function name) of every import inside a function, ready() of an AppConfig excepted."""
    found = []

    def visit(node, parents, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                found.append((child.lineno, in_function))
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                allowed = _is_app_config_ready(child, parents)
                visit(child, [*parents, child], None if allowed else (in_function or child.name))
            else:
                visit(child, [*parents, child], in_function)

    visit(tree, [], None)
    return found


def merge_migration(tree, app_label: str) -> bool:
    for node in ast.walk(tree):
        names = [getattr(target, "id", None) for target in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and "dependencies" in names and isinstance(node.value, ast.List):
            own = [
                element
                for element in node.value.elts
                if isinstance(element, ast.Tuple)
                and element.elts
                and isinstance(element.elts[0], ast.Constant)
                and element.elts[0].value == app_label
            ]
            return len(own) > 1
    return False


def check(paths) -> list[str]:
    problems = []
    for path in python_files(paths):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text, filename=str(path))
        except SyntaxError as error:
            problems.append(f"{shown}:{error.lineno}: does not parse")
            continue
        in_migrations = "migrations" in path.parts
        if in_migrations:
            if path.name != "__init__.py" and merge_migration(tree, path.parent.parent.name):
                problems.append(f"{shown}: a merge migration (two parents in its own app); make the line straight")
        else:
            for line, function in function_imports(tree):
                problems.append(f"{shown}:{line}: import inside {function}(); import at the top of the module")
        for number, line in enumerate(text.splitlines(), start=1):
            if NOQA_E402.search(line):
                problems.append(f"{shown}:{number}: a noqa for E402; put the import at the top")
            if OUTSIDE_DOCUMENT.search(line) and path.name != "house_rules.py":
                problems.append(f"{shown}:{number}: cites a document outside the repository; say the rule in words")
            if BANNER.match(line):
                problems.append(f"{shown}:{number}: banner comment; name the module for what it holds instead")
        in_app = path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] in APPS
        in_tests = "tests" in path.parts
        # A management command's file name is the command's name (create_admin), not a layer.
        in_commands = path.parent.name == "commands" and path.parent.parent.name == "management"
        named_for_a_layer = PREFIXED.match(path.name) and not in_commands
        if in_app and not in_tests and not in_migrations and (named_for_a_layer or path.name == "signals.py"):
            problems.append(f"{shown}: a layer in the file name; use the layer's folder (views/mfa.py, receivers.py)")
    return problems


def main(argv) -> int:
    problems = check(argv or [ROOT])
    for problem in problems:
        print(problem)
    print(f"house rules: {len(problems)} problem(s)" if problems else "house rules: kept")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
