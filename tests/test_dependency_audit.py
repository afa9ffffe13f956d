"""tools/dependency_audit.py: what counts as a passed audit, a finding, and an audit not made."""

import datetime
import subprocess
import sys

import pytest

from tools.dependency_audit import (
    ALLOWLIST,
    NOT_AUDITED,
    PASSED,
    VULNERABLE,
    AllowlistError,
    judge,
    load_allowlist,
)

TODAY = datetime.date(2026, 12, 1)
VULN = {"id": "PYSEC-2026-1", "aliases": ["CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"], "fix_versions": ["5.2.20"]}


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


def clean(name="django", version="5.2.19"):
    return {"name": name, "version": version, "vulns": []}


def vulnerable(name="django", version="5.2.19"):
    return {"name": name, "version": version, "vulns": [VULN]}


def skipped(name="redis"):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (8.1.0)"}


def allowance(package="Django", vuln_id="CVE-2026-0001", expires="2027-01-31", reason="Admin-only path, off here."):
    entry = f'package = "{package}"\nid = "{vuln_id}"\nreason = "{reason}"\nexpires = {expires}\n'
    return load_allowlist(f"[[allow]]\n{entry}")


def test_every_package_audited_and_clean_passes():
    verdict = judge(report(clean(), clean("redis", "8.1.0")), [], TODAY)
    assert verdict.code == PASSED
    assert verdict.lines[-1] == "dependency audit: passed"


def test_a_vulnerability_fails_the_audit_and_names_the_fix():
    verdict = judge(report(clean("redis"), vulnerable()), [], TODAY)
    assert verdict.code == VULNERABLE
    assert "VULNERABLE django 5.2.19: PYSEC-2026-1 (fixed in 5.2.20)" in verdict.lines


def test_an_allowance_by_alias_with_a_reason_and_a_future_date_lets_it_pass():
    verdict = judge(report(vulnerable()), allowance(), TODAY)
    assert verdict.code == PASSED
    assert any(line.startswith("allowed    django") and "until 2027-01-31" in line for line in verdict.lines)


def test_an_expired_allowance_fails_again():
    verdict = judge(report(vulnerable()), allowance(expires="2026-11-30"), TODAY)
    assert verdict.code == VULNERABLE
    assert any("allowance expired on 2026-11-30" in line for line in verdict.lines)


def test_an_allowance_for_another_package_does_not_cover_it():
    assert judge(report(vulnerable()), allowance(package="redis"), TODAY).code == VULNERABLE


def test_an_unused_allowance_is_reported():
    verdict = judge(report(clean()), allowance(), TODAY)
    assert verdict.code == PASSED
    assert any("matched nothing" in line for line in verdict.lines)


def test_nothing_audited_is_not_a_pass():
    """pip-audit prints "No known vulnerabilities found" and exits 0 when its service knew no package."""
    verdict = judge(report(skipped("django"), skipped("redis")), [], TODAY)
    assert verdict.code == NOT_AUDITED
    assert "0 of 2 installed packages audited, 0 open finding(s)" in verdict.lines


def test_one_package_not_audited_is_not_a_pass():
    assert judge(report(clean(), skipped()), [], TODAY).code == NOT_AUDITED


def test_a_finding_outweighs_packages_not_audited():
    assert judge(report(vulnerable(), skipped()), [], TODAY).code == VULNERABLE


def test_an_empty_report_is_not_a_pass():
    assert judge(report(), [], TODAY).code == NOT_AUDITED


@pytest.mark.parametrize(
    "entry, message",
    [
        ('package = "django"\nid = "CVE-1"\nexpires = 2027-01-01', "lacks reason"),
        ('package = "django"\nid = "CVE-1"\nreason = "  "\nexpires = 2027-01-01', "lacks reason"),
        ('package = "django"\nreason = "r"\nexpires = 2027-01-01', "lacks id"),
        ('package = "django"\nid = "CVE-1"\nreason = "r"', "lacks expires"),
        ('package = "django"\nid = "CVE-1"\nreason = "r"\nexpires = "soon"', "not a date"),
        ('package = "django"\nid = "CVE-1"\nreason = "r"\nexpires = 2027-01-01T10:00:00', "not a date"),
    ],
)
def test_an_allowance_without_its_reason_or_date_is_refused(entry, message):
    with pytest.raises(AllowlistError, match=message):
        load_allowlist(f"[[allow]]\n{entry}\n")


def test_the_shipped_allowlist_loads():
    assert isinstance(load_allowlist(ALLOWLIST.read_text()), list)


def test_the_command_judges_a_saved_report(tmp_path):
    saved = tmp_path / "report.json"
    saved.write_text('{"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}')
    result = subprocess.run(
        [sys.executable, "-m", "tools.dependency_audit", "--report", str(saved)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ALLOWLIST.parent.parent,
    )
    assert result.returncode == PASSED, result.stdout + result.stderr
    assert "1 of 1 installed packages audited" in result.stdout
