"""Where the agreements' PDFs and signed scans live: below PRIVATE_ROOT, with no URL.
Every download goes through the guarded view of tandems.agreement_views."""

from pathlib import Path

from django.conf import settings

from pioneer.storage import PrivateStorage


class AgreementStorage(PrivateStorage):
    """The location follows settings.PRIVATE_ROOT at each use (not once at start), so the
    test suite's per-test directory (and a worker sharing it) holds what a test makes."""

    @property
    def base_location(self):
        return Path(settings.PRIVATE_ROOT) / "agreements"

    @property
    def location(self):
        return str(self.base_location.resolve())


_storage = AgreementStorage()


def agreement_storage():
    return _storage
