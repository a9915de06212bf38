"""Import participants from a CSV or XLSX file: all rows or none, after a preview.

1. upload: the file is read in memory (never stored, no name of the visitor's reaches
   the disk) and every row is checked. If a single row is wrong, nothing happens and the
   report names each wrong row with its line number and the reasons.
2. preview: a good file becomes a job awaiting confirmation that holds the checked rows
   (written by the server; the browser never re-posts them) and shows who will get a
   new account, who has one already, and how many invitations go out.
3. confirm (optionally holding the invitations): the job imports all rows in bulk in
   one transaction, or none (`run_import`). Invitations go to the notification ledger in
   the same transaction and are sent after the commit, or later from the participant
   list when held.

Every failure of a parser becomes a clear, translated message (ImportFileError): a
hostile or broken file never reaches the database and never answers 500.
"""

import csv
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history

from cohorts import figures
from cohorts.models import Cohort, Participation
from cohorts.services.participations import side_mismatch
from pioneer import bulk, jobs
from pioneer.models import Role, User
from pioneer.selectors import organisations_for_office

log = logging.getLogger(__name__)

IMPORT_KIND = "cohorts.participant_import"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_COLUMNS = 100
BATCH_SIZE = 500
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
    must be text. Raises ImportFileError with a message for the office, whatever goes
    wrong inside a parser.
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
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        table = _read_xlsx(data) if kind == "xlsx" else _read_csv(data)
    except ImportFileError:
        raise
    except Exception:
        # A parser failed somewhere we did not foresee: the office gets a message, the
        # log the details; nothing of the file is used.
        log.warning("Unreadable %s upload", kind, exc_info=True)
        raise ImportFileError(_unreadable(kind)) from None
    return _rows_from_table(table)


def _unreadable(kind):
    if kind == "xlsx":
        return _("This file is not an XLSX workbook.")
    return _("This file cannot be read as a CSV text file.")


def _read_csv(data):
    if data.startswith(XLSX_MAGIC):
        raise ImportFileError(_("This file is not a CSV text file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ImportFileError(
            _(
                "This file is not a CSV text file in UTF-8 (it may be saved as UTF-16 or "
                "be a binary file). Save it as “CSV UTF-8” and upload it again."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file's characters cannot be read; save it as UTF-8."))
    lines = text.splitlines()
    first_line = lines[0] if lines else ""
    # German spreadsheets save CSV with semicolons; take whichever the heading uses most.
    delimiter = max(";,\t", key=first_line.count)
    table = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            table.append(row)
            if len(table) > MAX_ROWS + 50:  # blank lines aside, more is too many anyway
                break
    except csv.Error:
        raise ImportFileError(
            _(
                "The CSV file is malformed near line %(line)s (a field too long, or quotes "
                "that do not close)."
            )
            % {"line": len(table) + 1}
        ) from None
    return table


def _read_xlsx(data):
    if not data.startswith(XLSX_MAGIC):
        raise ImportFileError(_("This file is not an XLSX workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ImportFileError(_("This file is not an XLSX workbook.")) from None
    # The sizes in the archive's directory bound what can be unpacked: zipfile stops
    # reading an entry at its declared size.
    if sum(info.file_size for info in entries) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large when unpacked; please split it."))
    names = {info.filename.lower() for info in entries}
    if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportFileError(
            _(
                "This file is not an XLSX workbook (perhaps an OpenDocument or older Excel "
                "file renamed). Save it as “Excel workbook (.xlsx)”."
            )
        )
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportFileError(
            _("This workbook contains macros. Save it as a plain “Excel workbook (.xlsx)”.")
        )
    if any(name.startswith("xl/externallinks/") for name in names):
        raise ImportFileError(
            _(
                "This workbook links to other files. Copy the cells and paste them as values "
                "into a new workbook, then upload that."
            )
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        if any(name.startswith("xl/chartsheets/") for name in names):
            # openpyxl cannot read some chart sheets; the table alone it can.
            raise ImportFileError(
                _(
                    "This workbook contains a chart sheet that cannot be read. Copy the table "
                    "into a new workbook and upload that."
                )
            ) from None
        raise
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet with rows."))
        sheet = workbook.worksheets[0]
        # A workbook may claim a huge used range; without it rows are not padded to it.
        sheet.reset_dimensions()
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(["" if cell is None else _cell_text(cell) for cell in row])
            if len(table) > MAX_ROWS + 50:
                break
        return table
    finally:
        workbook.close()


def _cell_text(value):
    """A cell as the office sees it: whole numbers without ".0", dates as dates."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows_from_table(table):
    # Skip blank lines before the heading (some exports start with one).
    while table and not any(str(cell).strip() for cell in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError(_("The file is empty."))
    widest = max(len(_trimmed(cells)) for cells in table)
    if widest > MAX_COLUMNS:
        raise ImportFileError(
            _("The file has too many columns (%(count)s; at most %(max)s).")
            % {"count": widest, "max": MAX_COLUMNS}
        )
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


def _trimmed(cells):
    cells = list(cells)
    while cells and not str(cells[-1]).strip():
        cells.pop()
    return cells


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


def organisations_for_import(by):
    """The organisations whose people `by`'s office may import: those it may act for
    (`organisations_for_office`); another ministry's organisation is "not known"."""
    return organisations_for_office(by).only("id", "name", "short_name", "kind")


def organisation_lookup(by):
    """{squashed name or short name: organisation} for the names a file may use."""
    organisations = {}
    for org in organisations_for_import(by):
        organisations.setdefault(_squash(org.name), org)
        if org.short_name:
            organisations.setdefault(_squash(org.short_name), org)
    return organisations


# Characters that cannot be seen but change what is shown: control characters, and the
# direction marks and overrides that make "moc.elpmaxe@" read as "example.com".
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _invisible_problem(key, value):
    if _INVISIBLE.search(value):
        return _(
            "%(column)s: contains control or text-direction characters; please remove them."
        ) % {"column": COLUMN_LABELS.get(key, key)}
    return ""


def check_rows(*, cohort, rows, by):
    """Check every row; returns RowResults (errors empty where the row is good).

    Organisations are looked up among those `by`'s office may act for only
    (`organisations_for_office`): another ministry's organisation is "not known".
    Three queries whatever the file's size: organisations, people already in the cohort,
    and nothing per row.
    """
    organisations = organisation_lookup(by)
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
        for key, value in values.items():
            problem = _invisible_problem(key, value)
            if problem:
                result.errors.append(problem)
        # The row fails already; what it shows of itself (its label, the values quoted in
        # messages) must not turn text around on the office's screen.
        values = {
            key: unicodedata.normalize("NFC", _INVISIBLE.sub("\ufffd", value))
            for key, value in values.items()
        }
        result.values = values
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


# --- preview, confirmation and the import job -------------------------------------------


def participations_import_check(*, cohort, upload, by):
    """Read and check a file; when every row is good, keep the checked rows in a job
    awaiting the office's confirmation (the preview). Returns (report, job or None).

    Side effects: only the job row (deleted by the dispatcher after a day when nobody
    confirms it). No person, participation or e-mail before the confirmation.
    """
    report = ImportReport()
    try:
        rows = read_table(upload)
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report, None
    report.rows = check_rows(cohort=cohort, rows=rows, by=by)
    if not report.ok:
        return report, None
    if cohort.state == Cohort.State.CLOSED:
        report.file_errors.append(_("The cohort is closed; nobody can join it any more."))
        return report, None
    known = _known_accounts([row.cleaned["email"] for row in report.rows])
    payload = {"rows": [_stored_row(row, known) for row in report.rows]}
    job = jobs.job_start(
        kind=IMPORT_KIND, by=by, target=cohort, payload=payload, awaiting_confirmation=True
    )
    return report, job


def _known_accounts(emails):
    """{email: has a usable password} for the addresses that have an account (one query)."""
    return {
        user.email: user.has_usable_password()
        for user in User.objects.filter(email__in=emails).only("email", "password")
    }


def _stored_row(row, known):
    data = row.cleaned
    return {
        "line": row.line,
        "name": data["name"],
        "email": data["email"],
        "side": data["side"],
        "organisation": data["organisation"].pk,
        "organisation_name": str(data["organisation"]),
        "position": data.get("position", ""),
        "topics": data.get("topics", ""),
        "expertise": data.get("expertise", ""),
        "goals": data.get("goals", ""),
        "language": data["language"],
        # What the preview shows; the import decides again from the database.
        "account": "existing" if data["email"] in known else "new",
        "invited": not known.get(data["email"], False),
    }


def preview(job):
    """What the preview page shows of an import awaiting confirmation."""
    rows = job.payload.get("rows", [])
    return {
        "rows": rows,
        "new": sum(row["account"] == "new" for row in rows),
        "existing": sum(row["account"] == "existing" for row in rows),
        "invitations": sum(row["invited"] for row in rows),
    }


def run_import(job, progress):
    """The import job: every checked row in bulk, in one transaction, or nothing.

    A flat number of queries per batch of BATCH_SIZE rows, whatever the file's size.
    Raises JobError (nothing imported) when the cohort was closed or someone in the file
    joined it since the check. Safe to run twice: the summary, stored in the same
    transaction, says it is done.
    """
    if "created" in job.summary:
        return None
    rows = job.payload.get("rows", [])
    hold = bool(job.payload.get("options", {}).get("hold_invitations"))
    progress(0, len(rows))
    with transaction.atomic():
        # One import into a cohort at a time: the check below stays true until commit.
        cohort = Cohort.objects.select_for_update().filter(pk=job.object_id).first()
        if cohort is None or cohort.state == Cohort.State.CLOSED:
            raise jobs.JobError(_("The cohort is closed; nobody can join it any more."))
        _recheck(cohort, rows)
        # Checked again as the requester: a link withdrawn since the preview stops it.
        organisations = organisations_for_import(job.requested_by).in_bulk(
            {row["organisation"] for row in rows}
        )
        created = accounts = invitations = held = 0
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            counts = _import_batch(cohort, batch, organisations, job.requested_by, hold)
            created += counts["created"]
            accounts += counts["accounts"]
            invitations += counts["invitations"]
            held += counts["held"]
            progress(start + len(batch), len(rows))
        jobs.job_summary_store(
            job=job, created=created, accounts=accounts, invitations=invitations, held=held
        )
    return None


def _recheck(cohort, rows):
    """What may have changed since the preview; any of it stops the whole import."""
    emails = [row["email"] for row in rows]
    joined = sorted(
        Participation.objects.filter(cohort=cohort, user__email__in=emails).values_list(
            "user__email", flat=True
        )
    )
    if joined:
        raise jobs.JobError(
            _(
                "Since the file was checked, these people have joined the cohort: "
                "%(emails)s. Nothing has been imported; please upload the file again."
            )
            % {"emails": ", ".join(joined[:10]) + (" …" if len(joined) > 10 else "")}
        )


def _import_batch(cohort, rows, organisations, by, hold):
    invitees = bulk.people_invite_in_bulk(people=rows, kind=Role.Kind.PARTICIPANT)
    participations = []
    for row in rows:
        organisation = organisations.get(row["organisation"])
        if organisation is None or side_mismatch(row["side"], organisation):
            raise jobs.JobError(
                _(
                    "Line %(line)s: the organisation has changed since the file was checked. "
                    "Nothing has been imported; please upload the file again."
                )
                % {"line": row["line"]}
            )
        invitee = invitees[row["email"]]
        participations.append(
            Participation(
                cohort=cohort,
                user=invitee.user,
                organisation=organisation,
                side=row["side"],
                position=row["position"],
                topics=row["topics"],
                expertise=row["expertise"],
                goals=row["goals"],
                invitation_held=hold and invitee.invitation is not None,
            )
        )
    bulk_create_with_history(participations, Participation, batch_size=BATCH_SIZE, default_user=by)
    # Written without signals: the kept counts of the cohort's people are stale.
    figures.changed()
    invited = 0 if hold else bulk.invitations_schedule_in_bulk(invitees=invitees.values())
    return {
        "created": len(participations),
        "accounts": sum(invitee.created for invitee in invitees.values()),
        "invitations": invited,
        "held": sum(p.invitation_held for p in participations),
    }


def import_outcome(job):
    summary = job.summary
    if "created" not in summary:
        return ""
    text = translation.ngettext(
        "%(count)s person has been imported.",
        "%(count)s people have been imported.",
        summary["created"],
    ) % {"count": summary["created"]}
    if summary.get("held"):
        text += " " + translation.ngettext(
            "%(count)s invitation is held; send it from the participant list.",
            "%(count)s invitations are held; send them from the participant list.",
            summary["held"],
        ) % {"count": summary["held"]}
    elif summary.get("invitations"):
        text += " " + translation.ngettext(
            "%(count)s invitation is being sent by e-mail.",
            "%(count)s invitations are being sent by e-mail.",
            summary["invitations"],
        ) % {"count": summary["invitations"]}
    return text


def participations_send_held_invitations(*, cohort, by):
    """Send the invitations an import held for this cohort. Returns how many e-mails
    were queued (someone invited today already is not sent a second one).

    Refused (ValidationError, nothing sent) once the cohort is closed. Side effects: the
    e-mails go to the ledger (sent after commit); the participations are no longer
    marked held. Safe to run twice: a second run finds none held.
    """
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.state == Cohort.State.CLOSED:
            raise ValidationError(
                _("The cohort is closed; its held invitations are no longer sent.")
            )
        held = list(
            Participation.objects.select_for_update()
            .filter(cohort=cohort, invitation_held=True)
            .select_related("user")
        )
        if not held:
            return 0
        roles = {
            role.user_id: role
            for role in Role.objects.filter(
                user_id__in=[p.user_id for p in held], kind=Role.Kind.PARTICIPANT
            )
        }
        invitees = [
            bulk.Invitee(user=p.user, role=roles.get(p.user_id), created=False, role_created=True)
            for p in held
            if p.user_id in roles
        ]
        count = bulk.invitations_schedule_in_bulk(invitees=invitees)
        Participation.objects.filter(pk__in=[p.pk for p in held]).update(invitation_held=False)
        # Written without signals: the kept groups count the held invitations.
        figures.changed()
    return count
