"""A file storage with no URL: what it holds is only ever handed out by a view that
checks permission first (job results)."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a guarded view.")
