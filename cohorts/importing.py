"""Import participants from a CSV or XLSX file: all rows or none.

Every row is checked before anything is written. If a single row is wrong, nothing is
imported and the report names each wrong row with its line number and the reasons, so the
office can fix the file and upload it again. A good file is imported in one transaction;
the invitation e-mails go out only after the commit (`user_invite` queues them with
`transaction.on_commit`), so a failed import e-mails nobody.

The uploaded file is read in memory and never stored: no file name of the visitor's is
ever used on disk.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Participation
from cohorts.participations import participation_add, side_mismatch
from pioneer.selectors import organisations_for_office

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
# An XLSX is a zip archive: a small upload may unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
ALLOWED_TYPES = {
    ".csv": "csv",
    ".xlsx": "xlsx",
}
XLSX_MAGIC = b"PK\x03\x04"

# Column key -> accepted headings (compared case-insensitively, spaces and dashes ignored).
COLUMNS = {
    "name": ["name", "full name", "vollständiger name"],
    "email": ["email", "e-mail", "e-mail address", "email address", "e-mail-adresse", "mail"],
    "side": ["side", "seite"],
    "organisation": ["organisation", "organization", "organisation name"],
    "position": ["position", "job title", "funktion", "stelle"],
    "topics": ["topics", "themen"],
    "expertise": ["expertise", "fachwissen"],
    "goals": ["goals", "ziele"],
    "language": ["language", "sprache"],
}
REQUIRED_COLUMNS = ("name", "email", "side", "organisation")
# Words offices write in the side column, besides the values and their translated labels.
SIDE_ALIASES = {
    "verwaltung": "administration",
    "öffentlicheverwaltung": "administration",
    "admin": "administration",
    "extern": "external",
    "externe": "external",
    "externer": "external",
    "expertin": "external",
    "experte": "external",
    "expert": "external",
    "externeexpertin": "external",
    "externerexperte": "external",
}
COLUMN_LABELS = {
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail address"),
    "side": gettext_lazy("Side"),
    "organisation": gettext_lazy("Organisation"),
    "position": gettext_lazy("Position"),
    "topics": gettext_lazy("Topics"),
    "expertise": gettext_lazy("Expertise"),
    "goals": gettext_lazy("Goals"),
    "language": gettext_lazy("Language"),
}


def _squash(text):
    return "".join(ch for ch in str(text).strip().lower() if ch not in " -_")


_HEADINGS = {_squash(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, headings)."""


@dataclass
class RowResult:
    line: int  # as the office sees it in the spreadsheet (heading is line 1)
    values: dict
    errors: list = field(default_factory=list)
    cleaned: dict | None = None

    @property
    def label(self):
        return self.values.get("name") or self.values.get("email") or ""


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    created: int = 0

    @property
    def ok(self):
        return not self.file_errors and not self.error_rows

    @property
    def error_rows(self):
        return [row for row in self.rows if row.errors]


# --- reading ----------------------------------------------------------------------------


def read_table(upload):
    """The rows of an uploaded file as dicts keyed by column key, with line numbers.

    Checks the content, not only the name: an .xlsx must be a readable workbook, a .csv
    must be text. Raises ImportFileError with a message for the office.
    """
    name = (getattr(upload, "name", "") or "").lower()
    kind = next((k for ext, k in ALLOWED_TYPES.items() if name.endswith(ext)), None)
    if kind is None:
        raise ImportFileError(_("Please upload a CSV or XLSX file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("The file is too large (at most %(size)s MB).")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    table = _read_xlsx(data) if kind == "xlsx" else _read_csv(data)
    return _rows_from_table(table)


def _read_csv(data):
    if data.startswith(XLSX_MAGIC) or b"\x00" in data:
        raise ImportFileError(_("This file is not a CSV text file."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("The file's characters cannot be read; save it as UTF-8."))
    first_line = text.splitlines()[0] if text.splitlines() else ""
    # German spreadsheets save CSV with semicolons; take whichever the heading uses most.
    delimiter = max(";,\t", key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(data):
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC):
        raise ImportFileError(_("This file is not an XLSX workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("This file is not an XLSX workbook.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large when unpacked; please split it."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(_("This file is not an XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(["" if cell is None else str(cell) for cell in row])
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def _rows_from_table(table):
    # Skip blank lines before the heading (some exports start with one).
    while table and not any(str(cell).strip() for cell in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError(_("The file is empty."))
    headings = [_HEADINGS.get(_squash(cell)) for cell in table[0]]
    missing = [key for key in REQUIRED_COLUMNS if key not in headings]
    if missing:
        raise ImportFileError(
            _("The file lacks these columns: %(columns)s. The first line must name the columns.")
            % {"columns": ", ".join(str(COLUMN_LABELS[key]) for key in missing)}
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(cell).strip() for cell in cells):
            continue  # empty lines are no people
        values = {}
        for key, cell in zip(headings, cells, strict=False):
            if key and key not in values:
                values[key] = str(cell).strip()
        rows.append((number, values))
    if not rows:
        raise ImportFileError(_("The file has a heading but no people."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has too many rows (at most %(max)s at once).") % {"max": MAX_ROWS}
        )
    return rows


# --- checking ---------------------------------------------------------------------------


class ParticipantRowForm(forms.Form):
    """One row's fields, checked like the form for adding one person."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    side = forms.CharField()
    organisation = forms.CharField(max_length=200)
    position = forms.CharField(max_length=200, required=False)
    topics = forms.CharField(required=False)
    expertise = forms.CharField(required=False)
    goals = forms.CharField(required=False)
    language = forms.CharField(required=False)


def _choice_lookup(choices):
    """Accept a choice by its value or its label in any of our languages."""
    lookup = {}
    for value, label in choices:
        lookup[_squash(value)] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                lookup[_squash(str(label))] = value
    return lookup


def _language_lookup():
    lookup = {}
    for code, name in settings.LANGUAGES:
        lookup[_squash(code)] = code
        for display, _display_name in settings.LANGUAGES:
            with translation.override(display):
                lookup[_squash(str(name))] = code
    lookup.update({"deutsch": "de", "german": "de", "englisch": "en", "english": "en"})
    return lookup


def check_rows(*, cohort, rows, by):
    """Check every row; returns RowResults (errors empty where the row is good).

    Organisations are looked up among those `by`'s office may act for only
    (`organisations_for_office`): another ministry's organisation is "not known".
    Three queries whatever the file's size: organisations, people already in the cohort,
    and nothing per row.
    """
    organisations = {}
    for org in organisations_for_office(by).only("id", "name", "short_name", "kind"):
        organisations.setdefault(_squash(org.name), org)
        if org.short_name:
            organisations.setdefault(_squash(org.short_name), org)
    taken = {
        email.lower()
        for email in Participation.objects.filter(cohort=cohort).values_list(
            "user__email", flat=True
        )
    }
    sides = {**SIDE_ALIASES, **_choice_lookup(Participation.Side.choices)}
    languages = _language_lookup()
    seen = {}
    results = []
    for line, values in rows:
        result = RowResult(line=line, values=values)
        form = ParticipantRowForm(values)
        form.is_valid()
        for key, errors in form.errors.items():
            for error in errors:
                result.errors.append(f"{COLUMN_LABELS.get(key, key)}: {error}")
        # Check what is left as well: the office should see every problem of a row at once.
        data = dict(form.cleaned_data)
        side = organisation = None
        if "side" in data:
            side = sides.get(_squash(data["side"]))
            if side is None:
                result.errors.append(
                    _("Side: “%(value)s” is neither administration nor external.")
                    % {"value": data["side"]}
                )
        if "organisation" in data:
            organisation = organisations.get(_squash(data["organisation"]))
            if organisation is None:
                result.errors.append(
                    _(
                        "Organisation: “%(value)s” is not one of your organisations. Add it "
                        "on the page “Organisations” first or use its name as it is "
                        "written there."
                    )
                    % {"value": data["organisation"]}
                )
        if side and organisation:
            problem = side_mismatch(side, organisation)
            if problem:
                result.errors.append(problem)
        raw_language = data.get("language", "")
        language = languages.get(_squash(raw_language)) if raw_language else "de"
        if language is None:
            result.errors.append(
                _("Language: “%(value)s” is not offered (German or English).")
                % {"value": raw_language}
            )
        email = data.get("email", "").lower()
        if email in taken:
            result.errors.append(_("E-mail address: this person is already in the cohort."))
        elif email in seen:
            result.errors.append(
                _("E-mail address: the same address is in line %(line)s already.")
                % {"line": seen[email]}
            )
        elif email:
            seen[email] = line
        if not result.errors:
            data.update(email=email, side=side, organisation=organisation, language=language)
            result.cleaned = data
        results.append(result)
    return results


# --- the service ------------------------------------------------------------------------


def participations_import(*, cohort, upload, by):
    """Check the whole file, then import all of it in one transaction or nothing.

    Side effects (only when every row is good): one participation and a participant role
    per row, and an invitation e-mail per person to set a password, sent after commit.
    """
    report = ImportReport()
    try:
        rows = read_table(upload)
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report
    report.rows = check_rows(cohort=cohort, rows=rows, by=by)
    if not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            participation_add(cohort=cohort, added_by=by, **row.cleaned)
            report.created += 1
    return report
