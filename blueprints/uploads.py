"""The checks every file of a blueprint passes before it is stored.

The name an upload arrives with says what it claims to be; the bytes decide. A file is
taken only when its content is the type its name ends with (PDF, DOCX, XLSX, PPTX, ODT,
ODS, ODP, PNG, JPEG), it is no larger than BLUEPRINT_MAX_UPLOAD_MB, and:
- an Office or OpenDocument file is a ZIP archive that is opened with care: every member
  name must be a plain relative path (no "..", no absolute path, no backslash), the
  declared unpacked size stays below BLUEPRINT_MAX_UNPACKED_MB and the packing ratio below
  MAX_RATIO (no archive bomb), nothing is encrypted, the members the format requires are
  there, and there are no macros (vbaProject.bin, a macro-enabled content type, ActiveX,
  OpenDocument Basic or scripts);
- a PDF starts and ends like one and names no JavaScript or launch action;
- an image is opened by Pillow (which refuses decompression bombs).
The stored name is made by the server (services); the uploaded name is kept only as a
display name with path, quote, control and direction characters removed.
"""

import hashlib
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pioneer import uploads as shared

MAX_MEMBERS = 2000
MAX_RATIO = 100
MAX_XML = 1024 * 1024
OOXML = "ooxml"
ODF = "odf"
PDF = "pdf"
IMAGE = "image"


@dataclass(frozen=True)
class FileType:
    family: str
    content_type: str
    # OOXML: the part that makes it this kind of document and its content type.
    main_part: str = ""
    main_type: str = ""
    label: str = ""


_OOXML_PREFIX = "application/vnd.openxmlformats-officedocument."
TYPES = {
    ".pdf": FileType(PDF, "application/pdf", label="PDF"),
    ".docx": FileType(
        OOXML,
        _OOXML_PREFIX + "wordprocessingml.document",
        "word/document.xml",
        _OOXML_PREFIX + "wordprocessingml.document.main+xml",
        "DOCX",
    ),
    ".xlsx": FileType(
        OOXML,
        _OOXML_PREFIX + "spreadsheetml.sheet",
        "xl/workbook.xml",
        _OOXML_PREFIX + "spreadsheetml.sheet.main+xml",
        "XLSX",
    ),
    ".pptx": FileType(
        OOXML,
        _OOXML_PREFIX + "presentationml.presentation",
        "ppt/presentation.xml",
        _OOXML_PREFIX + "presentationml.presentation.main+xml",
        "PPTX",
    ),
    ".odt": FileType(ODF, "application/vnd.oasis.opendocument.text", label="ODT"),
    ".ods": FileType(ODF, "application/vnd.oasis.opendocument.spreadsheet", label="ODS"),
    ".odp": FileType(ODF, "application/vnd.oasis.opendocument.presentation", label="ODP"),
    ".png": FileType(IMAGE, "image/png", label="PNG"),
    ".jpg": FileType(IMAGE, "image/jpeg", label="JPEG"),
}
ALIASES = {".jpeg": ".jpg"}
ALLOWED_LABELS = "PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG, JPEG"
ACCEPT = ",".join([*TYPES, *ALIASES])

MAGIC = {
    PDF: (b"%PDF-",),
    OOXML: (b"PK\x03\x04",),
    ODF: (b"PK\x03\x04",),
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# The PDF checks and display names are the core's (shared with the tandems app).
PDF_ACTIVE, PDF_NAME_ESCAPE, UNSAFE_NAME = (
    shared.PDF_ACTIVE,
    shared.PDF_NAME_ESCAPE,
    shared.UNSAFE_NAME,
)
display_name = shared.display_name

help_text = gettext_lazy(
    "Allowed: PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG, JPEG, up to %(mb)s MB. Office "
    "files with macros are refused."
)


def max_bytes():
    return settings.BLUEPRINT_MAX_UPLOAD_MB * 1024 * 1024


def max_unpacked():
    return settings.BLUEPRINT_MAX_UNPACKED_MB * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    display_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def extension_of(name):
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in name:
        return ""
    extension = "." + name.rsplit(".", 1)[-1].strip().lower()
    return ALIASES.get(extension, extension)


def check(upload) -> CheckedUpload:
    """The checked facts of `upload` (a Django UploadedFile), or ValidationError with a
    message the uploader can act on. Reads the file; leaves it at position 0."""
    extension = extension_of(getattr(upload, "name", ""))
    file_type = TYPES.get(extension)
    if file_type is None:
        _refuse(
            _("Files of this type cannot be uploaded. Allowed: %(types)s."),
            "type",
            types=ALLOWED_LABELS,
        )
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        _refuse(
            _("The file is larger than %(mb)s MB."), "size", mb=settings.BLUEPRINT_MAX_UPLOAD_MB
        )
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in iter(lambda: upload.read(65536), b""):
        size += len(chunk)
        if size > limit:
            _refuse(
                _("The file is larger than %(mb)s MB."),
                "size",
                mb=settings.BLUEPRINT_MAX_UPLOAD_MB,
            )
        digest.update(chunk)
    if size == 0:
        _refuse(_("The file is empty."), "empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    mismatch = _("The content of the file is no %(type)s, although its name says so.")
    if file_type.family == IMAGE:
        magic = PNG_MAGIC if extension == ".png" else JPEG_MAGIC
        if not head.startswith(magic):
            _refuse(mismatch, "content", type=file_type.label)
        _check_image(upload, file_type)
    elif not head.startswith(MAGIC[file_type.family]):
        _refuse(mismatch, "content", type=file_type.label)
    elif file_type.family == PDF:
        _check_pdf(upload)
    else:
        _check_archive(upload, file_type)
    upload.seek(0)
    return CheckedUpload(
        display_name=display_name(upload.name, extension),
        extension=extension,
        content_type=file_type.content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def _check_image(upload, file_type):
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                expected = "PNG" if file_type.label == "PNG" else "JPEG"
                if image.format != expected:
                    raise ValueError(image.format)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(_("The image is too large in pixels."), "bomb")
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
        _refuse(_("The image cannot be read; it may be damaged."), "content")
    finally:
        upload.seek(0)


def _check_pdf(upload):
    shared.check_pdf_content(upload)


def _safe_member(name):
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return all(part not in ("..", ".") for part in name.split("/")[:-1] + [name.split("/")[-1]])


def _check_archive(upload, file_type):
    broken = _("The %(type)s file cannot be read; it may be damaged.")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        _refuse(broken, "content", type=file_type.label)
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            _refuse(broken, "content", type=file_type.label)
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            _refuse(broken, "content", type=file_type.label)
        packed = unpacked = 0
        for info in infos:
            if not _safe_member(info.filename):
                _refuse(
                    _("The %(type)s file contains a part with a path outside the document."),
                    "path",
                    type=file_type.label,
                )
            if info.flag_bits & 0x1:
                _refuse(
                    _("The %(type)s file is encrypted; upload it without a password."),
                    "encrypted",
                    type=file_type.label,
                )
            packed += info.compress_size
            unpacked += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                _refuse(_bomb(), "bomb")
        if unpacked > max_unpacked() or (
            unpacked > 1024 * 1024 and unpacked > MAX_RATIO * max(packed, 1)
        ):
            _refuse(_bomb(), "bomb")
        lower = {name.lower() for name in names}
        if file_type.family == OOXML:
            _check_ooxml(archive, lower, file_type)
        else:
            _check_odf(archive, infos, lower, file_type)


def _bomb():
    return _("The file unpacks to far more than it weighs (an archive bomb); it is refused.")


def _macros(file_type):
    return _(
        "The %(type)s file contains macros or active content. Save it as a plain %(type)s "
        "file without macros and upload it again."
    ) % {"type": file_type.label}


def _read(archive, name, file_type):
    try:
        with archive.open(name) as member:
            return member.read(MAX_XML + 1)[:MAX_XML]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        _refuse(
            _("The %(type)s file cannot be read; it may be damaged."),
            "content",
            type=file_type.label,
        )


def _check_ooxml(archive, lower, file_type):
    if "[content_types].xml" not in lower or file_type.main_part not in lower:
        _refuse(
            _("The content of the file is no %(type)s, although its name says so."),
            "content",
            type=file_type.label,
        )
    if any(
        name.rsplit("/", 1)[-1] == "vbaproject.bin" or "/activex/" in f"/{name}" for name in lower
    ):
        raise ValidationError(_macros(file_type), code="macros")
    name = next(n for n in archive.namelist() if n.lower() == "[content_types].xml")
    types = _read(archive, name, file_type).decode("utf-8", "replace").lower()
    if "macroenabled" in types or "vbaproject" in types or "activex" in types:
        raise ValidationError(_macros(file_type), code="macros")
    if file_type.main_type.lower() not in types:
        _refuse(
            _("The content of the file is no %(type)s, although its name says so."),
            "content",
            type=file_type.label,
        )


def _check_odf(archive, infos, lower, file_type):
    first = infos[0] if infos else None
    mimetype = (
        _read(archive, first.filename, file_type).strip()
        if first is not None and first.filename == "mimetype"
        else b""
    )
    if mimetype != file_type.content_type.encode() or "content.xml" not in lower:
        _refuse(
            _("The content of the file is no %(type)s, although its name says so."),
            "content",
            type=file_type.label,
        )
    if any(name.startswith(("basic/", "scripts/")) for name in lower):
        raise ValidationError(_macros(file_type), code="macros")
