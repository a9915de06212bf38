"""Exports of a cohort's participants as CSV and XLSX.

Made inside the request for now, which is fine for a cohort's few dozen people: the
export is capped at INLINE_LIMIT rows and says so. Larger exports belong in a Celery task
that writes the file and a page that shows its state until it is ready (DESIGN.md:
"large exports are never made inside a web request"); that is left for when cohorts
grow that large.
"""

import csv
import io

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts.participations import participations_of

INLINE_LIMIT = 2000
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns():
    """(heading, value from a participation) in the order of the import's columns, so an
    export can be edited and imported into the next cohort."""
    return [
        (_("Name"), lambda p: p.user.name),
        (_("E-mail address"), lambda p: p.user.email),
        (_("Side"), lambda p: p.get_side_display()),
        (_("Organisation"), lambda p: p.organisation.name),
        (_("Position"), lambda p: p.position),
        (_("Topics"), lambda p: p.topics),
        (_("Expertise"), lambda p: p.expertise),
        (_("Goals"), lambda p: p.goals),
        (_("Language"), lambda p: p.user.language),
        (_("State"), lambda p: p.get_state_display()),
        (_("Reason for withdrawal"), lambda p: p.withdrawn_reason),
    ]


def _safe(value):
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def participant_rows(cohort, *, escape=True):
    """The heading and one row per participant (one query)."""
    cols = columns()
    people = list(participations_of(cohort)[:INLINE_LIMIT])
    clean = _safe if escape else (lambda value: "" if value is None else str(value))
    yield [str(heading) for heading, _get in cols]
    for participation in people:
        yield [clean(get(participation)) for _heading, get in cols]


def filename(cohort, extension):
    stamp = timezone.localdate().isoformat()
    base = slugify(f"{cohort.programme.name} {cohort.title}") or "cohort"
    label = slugify(_("participants"))
    return f"{base}-{label}-{stamp}.{extension}"


def participants_csv(cohort):
    """CSV bytes (UTF-8 with BOM and semicolons, as German spreadsheet programs expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(participant_rows(cohort))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def participants_xlsx(cohort):
    """XLSX bytes: one sheet, a bold heading row, frozen below the heading."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Participants"))[:31]
    for row in participant_rows(cohort, escape=False):
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            # openpyxl takes text starting with "=" for a formula; ours is always text.
            cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(cell.value or "")) for cell in column), default=10)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10), 50) + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
