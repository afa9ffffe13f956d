"""Encrypted backups of the whole app (database, documents, manifest) that restore.

The roof owns them because a backup reads every app. archive.py holds the archive format and its
streaming, manifest.py what the manifest says, database.py the engine-specific snapshot and load,
restore_checks.py what a restore proves, services.py the three workflows the commands call.
"""
