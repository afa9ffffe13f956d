"""The models of compliance, one module per subject; imported here so `compliance.models.X` works."""

from compliance.models.exports import DataExport

__all__ = ["DataExport"]
