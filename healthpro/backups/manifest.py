"""The manifest: what a backup holds, in counts and hashes only (never a value, never a key).

format, format_version      "healthpro-backup", 1
created_at, app_version     UTC time of the snapshot, healthpro.__version__
database_engine             "sqlite" or "postgresql" (a backup restores into the same engine)
migrations                  the applied migrations, "app.name", sorted: the schema version
row_counts                  {table: rows} of every table, in the snapshot
audit                       {"rows": n, "head_hash": the last row's row_hash}
parts                       {name: {"sha256": hex, "bytes": n}} of every other part
"""

import json
import re

from healthpro.backups.archive import DATABASE_NAMES, MANIFEST_NAME, ArchiveError, PartDigest, part_name_allowed

FORMAT = "healthpro-backup"
FORMAT_VERSION = 1
ENGINES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def manifest_build(*, created_at, app_version, engine, migrations, row_counts, audit_rows, audit_head, digests) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "app_version": app_version,
        "database_engine": engine,
        "migrations": sorted(migrations),
        "row_counts": dict(sorted(row_counts.items())),
        "audit": {"rows": audit_rows, "head_hash": audit_head},
        "parts": {name: digest.as_manifest() for name, digest in sorted(digests.items())},
    }


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def _shape_error(what: str) -> ArchiveError:
    return ArchiveError(f"The archive's manifest is not a HealthPro manifest: {what}.")


def manifest_parse(data: bytes | None) -> dict:
    """The manifest, checked for shape; ArchiveError says what is wrong."""
    if data is None:
        raise ArchiveError(f"The archive has no {MANIFEST_NAME}: it is not a complete HealthPro backup.")
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _shape_error("not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _shape_error("no 'format': healthpro-backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _shape_error(f"format_version is not {FORMAT_VERSION}")
    if manifest.get("database_engine") not in ENGINES:
        raise _shape_error("unknown database_engine")
    for key in ("created_at", "app_version"):
        if not isinstance(manifest.get(key), str):
            raise _shape_error(f"'{key}' is missing")
    migrations = manifest.get("migrations")
    if not isinstance(migrations, list) or not migrations or not all(isinstance(item, str) for item in migrations):
        raise _shape_error("'migrations' is not a list of names")
    counts = manifest.get("row_counts")
    if not isinstance(counts, dict) or not all(
        isinstance(name, str) and isinstance(count, int) and count >= 0 for name, count in counts.items()
    ):
        raise _shape_error("'row_counts' is not {table: count}")
    audit = manifest.get("audit")
    if (
        not isinstance(audit, dict)
        or not isinstance(audit.get("rows"), int)
        or not isinstance(audit.get("head_hash"), str)
        or not _HEX64.match(audit["head_hash"])
    ):
        raise _shape_error("'audit' is not {rows, head_hash}")
    parts = manifest.get("parts")
    if not isinstance(parts, dict) or ENGINES[manifest["database_engine"]] not in parts:
        raise _shape_error("'parts' does not list the database")
    for name, entry in parts.items():
        if (
            name == MANIFEST_NAME
            or not part_name_allowed(name)
            or not isinstance(entry, dict)
            or not isinstance(entry.get("sha256"), str)
            or not _HEX64.match(entry["sha256"])
            or not isinstance(entry.get("bytes"), int)
        ):
            raise _shape_error("a part entry is not {sha256, bytes}")
    if sum(name in parts for name in DATABASE_NAMES) != 1:
        raise _shape_error("'parts' lists more than one database")
    return manifest


def manifest_check_parts(manifest: dict, digests: dict[str, PartDigest]) -> None:
    """Every part the manifest lists is in the archive with its SHA-256 and size, and no other."""
    listed = manifest["parts"]
    missing = sorted(set(listed) - set(digests))
    extra = sorted(set(digests) - set(listed))
    if missing:
        raise ArchiveError(f"The archive lacks {len(missing)} part(s) its manifest lists (first: {missing[0]}).")
    if extra:
        raise ArchiveError(f"The archive holds {len(extra)} part(s) its manifest does not list (first: {extra[0]}).")
    for name, entry in listed.items():
        digest = digests[name]
        if digest.sha256 != entry["sha256"] or digest.size != entry["bytes"]:
            raise ArchiveError(f"Part {name} does not match the SHA-256 in the manifest: the archive was altered.")


def database_part(manifest: dict) -> str:
    return ENGINES[manifest["database_engine"]]
