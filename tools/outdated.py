"""The pinned requirements that have a newer release (`make outdated`).

Reads the `name==version` pins of requirements.txt and requirements-dev.txt and asks pip, through
the configured package index, which installed packages are outdated; prints those that are pinned,
with the pin, the latest release and the file. Exit 0 either way: updates are reviewed by a person
(README "Updating dependencies").
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+?)(?:\[[^\]]*\])?==([^\s;#]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, tuple[str, str]]:
    found = {}
    for file_name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / file_name).read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                found[canonical(match.group(1))] = (match.group(2), file_name)
    return found


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--outdated", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    pinned = pins()
    outdated = [
        (canonical(item["name"]), item["latest_version"])
        for item in json.loads(result.stdout)
        if canonical(item["name"]) in pinned
    ]
    if not outdated:
        print(f"All {len(pinned)} pins are the latest release the index offers.")
        return 0
    print(f"{'package':30} {'pinned':12} {'latest':12} file")
    for name, latest in sorted(outdated):
        version, file_name = pinned[name]
        print(f"{name:30} {version:12} {latest:12} {file_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
