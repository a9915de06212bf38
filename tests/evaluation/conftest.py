import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Services' messages are matched in English (pages set the language cookie)."""
    with translation.override("en"):
        yield
