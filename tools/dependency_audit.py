"""Known vulnerabilities in the installed dependencies (`make audit`, and CI).

Runs pip-audit over the virtual environment (every installed package, the transitive ones
included, not only the pins) and decides:

- exit 0: every package was audited and no known vulnerability is open, or each one found is in
  tools/vulnerability_allowlist.toml with a reason and an expiry date still ahead;
- exit 1: a vulnerability that is not allowed (or whose allowance has expired), or an allow-list
  entry without a package, an id, a reason or a valid expiry date;
- exit 3: the audit could not be made: the advisory service did not answer, or it did not know
  some packages. pip-audit itself says "No known vulnerabilities found" and exits 0 when it could
  audit nothing at all, so this wrapper counts what it skipped and refuses to call that a pass.

Usage, from the repository root: python -m tools.dependency_audit [--service pypi|osv] [--report FILE]
"""

import argparse
import datetime
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "tools" / "vulnerability_allowlist.toml"

PASSED, VULNERABLE, NOT_AUDITED = 0, 1, 3


@dataclass(frozen=True)
class Allowance:
    package: str
    vulnerability_id: str
    reason: str
    expires: datetime.date


@dataclass(frozen=True)
class Verdict:
    code: int
    lines: tuple[str, ...]


class AllowlistError(ValueError):
    pass


def canonical(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").lower()


def load_allowlist(text: str) -> list[Allowance]:
    """The allow-list's entries; an entry that lacks a field or has no valid date is an error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AllowlistError(f"the allow-list is not valid TOML: {error}") from error
    allowances = []
    for number, entry in enumerate(data.get("allow", []), start=1):
        missing = [key for key in ("package", "id", "reason", "expires") if not str(entry.get(key, "")).strip()]
        if missing:
            raise AllowlistError(f"allow-list entry {number} lacks {', '.join(missing)}")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = datetime.date.fromisoformat(expires)
            except ValueError as error:
                raise AllowlistError(f"allow-list entry {number}: expires is not a date (YYYY-MM-DD)") from error
        if not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime):
            raise AllowlistError(f"allow-list entry {number}: expires is not a date (YYYY-MM-DD)")
        allowances.append(
            Allowance(
                package=canonical(entry["package"]),
                vulnerability_id=entry["id"].strip(),
                reason=entry["reason"].strip(),
                expires=expires,
            )
        )
    return allowances


def judge(report: dict, allowances: list[Allowance], today: datetime.date) -> Verdict:
    """The verdict on pip-audit's JSON report (its `dependencies`, each with `vulns` or `skip_reason`)."""
    lines = []
    open_findings = 0
    skipped = []
    used = set()
    dependencies = report.get("dependencies", [])
    for dependency in dependencies:
        name = canonical(dependency["name"])
        if "skip_reason" in dependency:
            skipped.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        for vulnerability in dependency.get("vulns", []):
            ids = {vulnerability["id"], *vulnerability.get("aliases", [])}
            allowance = next((a for a in allowances if a.package == name and a.vulnerability_id in ids), None)
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed release"
            where = f"{dependency['name']} {dependency.get('version', '?')}: {vulnerability['id']} (fixed in {fixed})"
            if allowance is None:
                open_findings += 1
                lines.append(f"VULNERABLE {where}")
            elif allowance.expires < today:
                open_findings += 1
                used.add(allowance)
                lines.append(f"VULNERABLE {where}: its allowance expired on {allowance.expires}")
            else:
                used.add(allowance)
                lines.append(f"allowed    {where}: {allowance.reason} (until {allowance.expires})")
    for allowance in allowances:
        if allowance not in used:
            lines.append(
                f"note: the allowance for {allowance.package} {allowance.vulnerability_id} matched nothing; remove it"
            )
    audited = len(dependencies) - len(skipped)
    lines.append(f"{audited} of {len(dependencies)} installed packages audited, {open_findings} open finding(s)")
    if open_findings:
        return Verdict(VULNERABLE, tuple(lines))
    if skipped or not dependencies:
        lines.extend(f"not audited: {line}" for line in skipped[:10])
        if len(skipped) > 10:
            lines.append(f"not audited: ... and {len(skipped) - 10} more")
        lines.append("dependency audit: NOT MADE: the advisory service could not audit every package")
        return Verdict(NOT_AUDITED, tuple(lines))
    lines.append("dependency audit: passed")
    return Verdict(PASSED, tuple(lines))


def run_pip_audit(service: str) -> dict | None:
    """pip-audit's JSON report over this environment, or None when it could not reach its service."""
    result = subprocess.run(  # noqa: S603  (pip-audit from our own environment, fixed arguments)
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--local",
            "--vulnerability-service",
            service,
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency audit: pip-audit gave no report ({last[:300]})", file=sys.stderr)
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi", help="the advisory source")
    parser.add_argument("--report", type=Path, help="judge a saved pip-audit JSON report instead of running it")
    options = parser.parse_args(argv)
    try:
        allowances = load_allowlist(ALLOWLIST.read_text())
    except (OSError, AllowlistError) as error:
        print(f"dependency audit: {error}", file=sys.stderr)
        return VULNERABLE
    print(f"dependency audit: pip-audit over the installed packages, advisories from {options.service}", flush=True)
    report = json.loads(options.report.read_text()) if options.report else run_pip_audit(options.service)
    if report is None:
        print("dependency audit: NOT MADE: the advisory service did not answer")
        return NOT_AUDITED
    verdict = judge(report, allowances, datetime.datetime.now(datetime.UTC).date())
    print("\n".join(verdict.lines))
    return verdict.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
