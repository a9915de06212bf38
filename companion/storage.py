"""Where participation certificates live: below PRIVATE_ROOT, with no URL. Every download
goes through the guarded view (the person's own, or the office of the cohort)."""

from pathlib import Path

from django.conf import settings

from pioneer.storage import PrivateStorage


class CertificateStorage(PrivateStorage):
    """The location follows settings.PRIVATE_ROOT at each use (not once at start), so a
    test's own directory, and a worker started with the same PRIVATE_ROOT, hold them."""

    @property
    def base_location(self):
        return Path(settings.PRIVATE_ROOT) / "certificates"

    @property
    def location(self):
        return str(self.base_location.resolve())


certificate_storage = CertificateStorage()
