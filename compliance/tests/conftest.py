import pytest


@pytest.fixture(autouse=True)
def _files_dirs(settings, tmp_path):
    """Each test stores documents and exports in its own folders."""
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.EXPORTS_DIR = tmp_path / "exports"
    return settings.EXPORTS_DIR
