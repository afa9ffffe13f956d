import pytest

from healthpro.tests.conftest import clear_cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: every test starts, and leaves, with none."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
