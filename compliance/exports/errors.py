"""Why an export cannot be downloaded: each maps to its own HTTP answer (pages and API alike)."""


class ExportGone(Exception):
    """The export has expired (and is, or is about to be, deleted): 410."""


class ExportNotReady(Exception):
    """The export is still being prepared, or its preparation failed: 409."""
