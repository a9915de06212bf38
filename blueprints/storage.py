"""Where the files of blueprints live: below PRIVATE_ROOT, with no URL. Every download
goes through the guarded view (visibility first, then a safe Content-Disposition)."""

from pathlib import Path

from django.conf import settings

from pioneer.storage import PrivateStorage


class BlueprintStorage(PrivateStorage):
    """The location follows settings.PRIVATE_ROOT at each use (not once at start), so the
    test suite's per-test directory holds what a test uploads."""

    @property
    def base_location(self):
        return Path(settings.PRIVATE_ROOT) / "blueprints"

    @property
    def location(self):
        return str(self.base_location.resolve())


blueprint_storage = BlueprintStorage()


def get_storage():
    return blueprint_storage
