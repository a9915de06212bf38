import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages read outside a request are compared in English, whatever an earlier test
    left active (pages choose their language from the cookie, as ever)."""
    with translation.override("en"):
        yield
