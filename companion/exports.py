"""The attendance export of a cohort's companion programme: one row per registration
(event, person, status, attendance), CSV streamed, XLSX made by a job. Both use the
cohorts app's cell cleaning, so no cell runs as a formula in a spreadsheet program."""

import csv

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cohorts.services.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    _safe,
    _text_cell,
    clean_text,
)
from companion.models import Event, EventRegistration

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "EXPORT_KIND"]

EXPORT_KIND = "companion.attendance_export"
CHUNK_SIZE = 500


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendance_rows(cohort, *, escape=True):
    """The heading and one row per registration of the cohort's events (cancelled ones
    left out), read in chunks of plain values."""
    clean = _safe if escape else clean_text
    kinds = dict(Event.Kind.choices)
    states = dict(EventRegistration.State.choices)
    attendance = dict(EventRegistration.Attendance.choices)
    yield [
        _("Event"),
        _("Kind"),
        _("Starts"),
        _("Name"),
        _("E-mail address"),
        _("Organisation"),
        _("Status"),
        _("Attendance"),
        _("Checked in"),
    ]
    rows = (
        EventRegistration.objects.filter(event__cohort=cohort)
        .exclude(state=EventRegistration.State.CANCELLED)
        .order_by("event__starts_at", "event_id", "participation__user__name", "id")
        .values_list(
            "event__title",
            "event__kind",
            "event__starts_at",
            "participation__user__name",
            "participation__user__email",
            "participation__organisation__name",
            "state",
            "attendance",
            "checked_in_at",
        )
    )
    for title, kind, starts, name, email, org, state, present, checked in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield [
            clean(title),
            clean(str(kinds.get(kind, kind))),
            _local(starts),
            clean(name),
            clean(email),
            clean(org),
            clean(str(states.get(state, state))),
            clean(str(attendance.get(present, present))),
            _local(checked),
        ]


def filename(cohort, extension):
    base = slugify(f"{cohort.programme.name} {cohort.title}") or "cohort"
    return f"{base}-{slugify(_('attendance'))}-{timezone.localdate().isoformat()}.{extension}"


class _Line:
    def write(self, text):
        return text


def attendance_csv_stream(cohort):
    """CSV text in pieces (UTF-8 with BOM, semicolons), for a StreamingHttpResponse."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in attendance_rows(cohort):
        yield writer.writerow(row)


def write_attendance_xlsx(cohort, path, progress=None):
    """The XLSX in write-only mode: a bold frozen heading, every cell text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Attendance"))[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for number, row in enumerate(attendance_rows(cohort, escape=False)):
        if number == 0:
            row = [_text_cell(sheet, str(value), font=bold) for value in row]
        else:
            row = [_text_cell(sheet, value) if value.startswith("=") else value for value in row]
        sheet.append(row)
    workbook.save(path)
    if progress:
        progress(1, 1)
