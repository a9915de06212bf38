"""Checks of uploaded files shared by the apps (blueprints' files, the tandems app's
signed agreements): the bytes decide what a file is, never its name.

- `display_name` makes the name a download is offered under from the uploaded one
  (folders, control, direction, quote and header characters removed); never a path.
- `check_pdf_content` refuses a PDF that is incomplete or carries active content
  (JavaScript, launch actions, rich media; names may hide letters as #xx escapes).
- `check_pdf` is the whole check of a PDF-only upload: the name ends in .pdf, the size
  stays within the limit, the content starts like a PDF and passes `check_pdf_content`.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
# Active content a PDF may carry; names may hide letters as #xx escapes.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|RichMedia)(?![A-Za-z])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Characters that never reach a display name: paths, quotes, header and shell specials.
UNSAFE_NAME = re.compile(r'[<>:"/\\|?*;%`$\'{}\[\]=&]')


@dataclass(frozen=True)
class CheckedPdf:
    display_name: str
    size: int
    sha256: str


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def display_name(raw, extension):
    """A name to offer the download under: the uploaded file's own name without its
    folders, control, format (direction) and path characters, quotes or header specials,
    with the checked type's extension. Never used as a path."""
    name = unicodedata.normalize("NFKC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = UNSAFE_NAME.sub("", name)
    name = " ".join(name.split())
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .-")[:100].strip(" .-") or "Datei"
    return f"{stem}{extension}"


def check_pdf_content(upload):
    """Refuse an incomplete PDF or one with scripts or actions (reads the whole file)."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"%%EOF" not in data[-2048:]:
        _refuse(_("The PDF is incomplete or damaged."), "content")
    unescaped = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if PDF_ACTIVE.search(unescaped):
        _refuse(
            _("The PDF contains scripts or actions that start programs; save it without them."),
            "active",
        )


def check_pdf(upload, *, max_mb) -> CheckedPdf:
    """The checked facts of a PDF-only upload, or ValidationError with a message the
    uploader can act on. Leaves the file at position 0."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().rstrip().endswith(".pdf"):
        _refuse(_("Only PDF files can be uploaded here."), "type")
    limit = max_mb * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        _refuse(_("The file is larger than %(mb)s MB."), "size", mb=max_mb)
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in iter(lambda: upload.read(65536), b""):
        size += len(chunk)
        if size > limit:
            _refuse(_("The file is larger than %(mb)s MB."), "size", mb=max_mb)
        digest.update(chunk)
    if size == 0:
        _refuse(_("The file is empty."), "empty")
    upload.seek(0)
    if not upload.read(len(PDF_MAGIC)).startswith(PDF_MAGIC):
        upload.seek(0)
        _refuse(
            _("The content of the file is no %(type)s, although its name says so."),
            "content",
            type="PDF",
        )
    check_pdf_content(upload)
    return CheckedPdf(
        display_name=display_name(upload.name, ".pdf"), size=size, sha256=digest.hexdigest()
    )
