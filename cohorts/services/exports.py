"""Exports of a cohort's participants and of registrations of interest (a cohort's, or a
selection): CSV streamed, XLSX made by a job.

Neither is ever cut short: the CSV is written row by row while the rows are read in
chunks (memory stays flat however large the cohort), and the XLSX is written by a job
in openpyxl's write-only mode to a temporary file, then offered on the job's page
(DESIGN.md: "large exports are never made inside a web request").

Text that reaches an export cannot break it, nor run in a spreadsheet program: the
characters XLSX forbids are replaced, and cells that a spreadsheet would take for a
formula are neutralised.
"""

import csv
import os
import re
import tempfile
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cohorts.models import InterestRegistration, Participation
from cohorts.selectors import participations_of

EXPORT_KIND = "cohorts.participant_export"
REGISTRATION_EXPORT_KIND = "cohorts.registration_export"
CHUNK_SIZE = 500
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column widths of the XLSX (write-only sheets cannot measure their cells afterwards).
XLSX_WIDTHS = (28, 34, 20, 30, 24, 30, 30, 30, 10, 14, 30)
REGISTRATION_XLSX_WIDTHS = (30, 22, 26, 24, 22, 12, 12, 24, 30, 18) + (
    26,
    10,
    18,
    30,
    30,
    20,
    30,
    17,
    17,
    30,
)


def columns():
    """(heading, field of a participation, how its value reads) in the order of the import's
    columns, so an export can be edited and imported into the next cohort."""
    sides = {value: str(label) for value, label in Participation.Side.choices}
    states = {value: str(label) for value, label in Participation.State.choices}
    return [
        (_("Name"), "user__name", None),
        (_("E-mail address"), "user__email", None),
        (_("Side"), "side", sides.get),
        (_("Organisation"), "organisation__name", None),
        (_("Position"), "position", None),
        (_("Topics"), "topics", None),
        (_("Expertise"), "expertise", None),
        (_("Goals"), "goals", None),
        (_("Language"), "user__language", None),
        (_("State"), "state", states.get),
        (_("Reason for withdrawal"), "withdrawn_reason", None),
    ]


def clean_text(value):
    """A cell's text without the control characters XLSX forbids (U+FFFD instead)."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _safe(value):
    text = clean_text(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def spreadsheet_cell(value):
    """A cell a spreadsheet program will not run as a formula: text starting with = + - @
    or a control character gets a leading apostrophe; numbers (also "-3" as text) stay
    numbers. For exports of other apps (the evaluation's answers)."""
    if value is None or isinstance(value, int | float | Decimal):
        return "" if value is None else value
    text = str(value)
    return text if _NUMBER.fullmatch(text) else _safe(text)


def _rows(queryset, cols, *, escape=True):
    """The heading and one row per object, read in chunks of plain values (no model
    instances: a large export stays quick and small)."""
    clean = _safe if escape else clean_text
    yield [str(heading) for heading, _field, _read in cols]
    values = queryset.values_list(*(field for _h, field, _r in cols))
    readers = [read or (lambda value: value) for _heading, _field, read in cols]
    for row in values.iterator(chunk_size=CHUNK_SIZE):
        yield [clean(read(value)) for read, value in zip(readers, row, strict=True)]


def participants_of(cohort, ids=None):
    """The cohort's people, or those of them whose ids are given (a selection)."""
    rows = participations_of(cohort)
    return rows if ids is None else rows.filter(pk__in=ids)


def participant_rows(cohort, *, escape=True, ids=None):
    """The heading and one row per participant (every one of them, or the selection)."""
    return _rows(participants_of(cohort, ids), columns(), escape=escape)


def filename(cohort, extension, label=None):
    """`<programme>-<cohort>-<what>-<date>.<ext>`; without a cohort `<what>-<date>`."""
    stamp = timezone.localdate().isoformat()
    label = slugify(label if label is not None else _("participants"))
    if cohort is None:
        return f"{label}-{stamp}.{extension}"
    base = slugify(f"{cohort.programme.name} {cohort.title}") or "cohort"
    return f"{base}-{label}-{stamp}.{extension}"


class _Line:
    """csv.writer writes into this; each row comes back as one string."""

    def write(self, text):
        return text


def csv_stream(rows):
    """CSV text in pieces (UTF-8 with BOM and semicolons, as German spreadsheet programs
    expect), one row at a time, for a StreamingHttpResponse."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def participants_csv_stream(cohort, ids=None):
    return csv_stream(participant_rows(cohort, ids=ids))


def participants_csv(cohort, ids=None):
    """The whole CSV as bytes (tests and small callers)."""
    return "".join(participants_csv_stream(cohort, ids)).encode("utf-8")


def write_participants_xlsx(cohort, path, progress=None, ids=None):
    """Write the XLSX to `path` in write-only mode: one sheet, a bold heading row frozen
    at the top, every cell text (never a formula). Memory stays flat."""
    write_xlsx(
        path,
        title=_("Participants"),
        widths=XLSX_WIDTHS,
        rows=participant_rows(cohort, escape=False, ids=ids),
        total=participants_of(cohort, ids).count(),
        progress=progress,
    )


def write_xlsx(path, *, title, widths, rows, total, progress=None):
    """One sheet in write-only mode: a bold heading row frozen at the top, every cell
    text (never a formula); memory stays flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title)[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        if number == 0:
            row = [_text_cell(sheet, value, font=bold) for value in row]
        else:
            # openpyxl takes text starting with "=" for a formula; ours is always text.
            row = [_text_cell(sheet, value) if value.startswith("=") else value for value in row]
        sheet.append(row)
        if progress and number and number % CHUNK_SIZE == 0:
            progress(number, total)
    workbook.save(path)
    if progress:
        progress(total, total)


def _text_cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def participants_xlsx(cohort):
    """The whole XLSX as bytes (tests and small callers)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_participants_xlsx(cohort, path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


# --- registrations of interest ----------------------------------------------------------


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def registration_columns():
    """(heading, field, how its value reads): everything the registration form asked,
    its state and the decision; the places offered and sought as numbers."""
    states = {value: str(label) for value, label in InterestRegistration.State.choices}
    kinds = {
        value: str(label)
        for value, label in InterestRegistration._meta.get_field("organisation_kind").choices
    }
    return [
        (_("Organisation"), "organisation_name", None),
        (_("Kind of organisation"), "organisation_kind", kinds.get),
        (_("Parent ministry"), "parent_ministry__name", None),
        (_("Cohort"), "cohort__title", None),
        (_("State"), "state", states.get),
        (_("Places offered (people they can host)"), "places_host", None),
        (_("Places sought (people they can send)"), "places_send", None),
        (_("Contact person"), "contact_name", None),
        (_("E-mail address"), "contact_email", None),
        (_("Telephone"), "contact_phone", None),
        (_("Street and number"), "street", None),
        (_("Postcode"), "postcode", None),
        (_("City"), "city", None),
        (_("Topics and expertise offered"), "topics_offered", None),
        (_("Topics and expertise sought"), "topics_sought", None),
        (_("Preferred timing"), "preferred_timing", None),
        (_("Message"), "message", None),
        (_("Received"), "created_at", _moment),
        (_("Decided"), "decided_at", _moment),
        (_("Reason for declining"), "decline_reason", None),
    ]


def registrations_of(queryset):
    """The rows of a registration export in the order they arrived."""
    return queryset.order_by("created_at", "pk")


def registration_rows(queryset, *, escape=True):
    return _rows(registrations_of(queryset), registration_columns(), escape=escape)


def registrations_csv_stream(queryset):
    return csv_stream(registration_rows(queryset))


def registrations_csv(queryset):
    """The whole CSV as bytes (tests and small callers)."""
    return "".join(registrations_csv_stream(queryset)).encode("utf-8")


def write_registrations_xlsx(queryset, path, progress=None):
    write_xlsx(
        path,
        title=_("Registrations"),
        widths=REGISTRATION_XLSX_WIDTHS,
        rows=registration_rows(queryset, escape=False),
        total=queryset.count(),
        progress=progress,
    )


def registrations_xlsx(queryset):
    """The whole XLSX as bytes (tests and small callers)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_registrations_xlsx(queryset, path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)
