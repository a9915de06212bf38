"""Hostile and careless files for the participant import: each one gets a clear,
translated message, imports nothing, starts no job and never answers 500.

The corpus is made here, in code, so that every file says how it was made.
"""

import csv
import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from cohorts.models import Cohort, Participation
from cohorts.services import imports
from pioneer.models import Job, Organisation, User
from tests.factories.cohorts import CohortFactory
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db

HEADING = ["Name", "E-Mail", "Seite", "Organisation"]
GOOD_ROW = ["Anna Albrecht", "anna@mft.example", "Verwaltung", "MfT"]


def _workbook_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _good_xlsx():
    workbook = Workbook()
    workbook.active.append(HEADING)
    workbook.active.append(GOOD_ROW)
    return _workbook_bytes(workbook)


def _rezip(data, add=None, drop=(), replace=None):
    """A copy of a zip archive with entries added, dropped or replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def _csv_text(rows, delimiter=";"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def truncated_zip():
    data = _good_xlsx()
    return "people.xlsx", data[: len(data) // 2]


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (imports.MAX_UNPACKED_BYTES + 1))
    return "people.xlsx", buffer.getvalue()


def xlsx_without_sheets():
    data = _good_xlsx()
    source = zipfile.ZipFile(io.BytesIO(data))
    book = source.read("xl/workbook.xml").decode()
    start, end = book.index("<sheets>"), book.index("</sheets>") + len("</sheets>")
    return "people.xlsx", _rezip(
        data,
        drop={"xl/worksheets/sheet1.xml"},
        replace={"xl/workbook.xml": book[:start] + book[end:]},
    )


def xlsx_chart_sheet_first():
    workbook = Workbook()
    workbook.active.append(HEADING)  # a heading, but nobody below it
    workbook.create_chartsheet("Chart", 0)
    return "people.xlsx", _workbook_bytes(workbook)


def xlsx_formulas_dates_booleans_numbers_merged():
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADING)
    # A formula without a cached value, a date, a boolean, a huge number: no person.
    sheet.append([datetime(2026, 1, 1, 12, 0), "=A1&B1", True, 1e308])
    sheet.append(["=1/0", 12345678901234567890, False, "MfT"])
    sheet.merge_cells("A3:D3")
    return "people.xlsx", _workbook_bytes(workbook)


def xlsx_huge_used_range():
    data = _good_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # Claims every cell of the sheet; the rows themselves are a heading without people.
    sheet = sheet.replace('<dimension ref="A1:D2"/>', '<dimension ref="A1:XFD1048576"/>')
    start = sheet.index('<row r="2"')
    end = sheet.index("</row>", start) + len("</row>")
    return "people.xlsx", _rezip(
        data, replace={"xl/worksheets/sheet1.xml": sheet[:start] + sheet[end:]}
    )


def xlsx_entity_expansion():
    data = _good_xlsx()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
            for n in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return "people.xlsx", _rezip(data, replace={"xl/worksheets/sheet1.xml": laughs})


def xlsm_renamed():
    return "people.xlsx", _rezip(_good_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def ods_renamed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return "people.xlsx", buffer.getvalue()


def xls_renamed():
    return "people.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000


def xlsx_external_links():
    return "people.xlsx", _rezip(
        _good_xlsx(),
        add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
    )


def png_named_xlsx():
    return "people.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def csv_utf16():
    return "people.csv", _csv_text([HEADING, GOOD_ROW]).encode("utf-16")


def csv_with_nul():
    return "people.csv", _csv_text([HEADING, GOOD_ROW]).encode().replace(b"Anna", b"An\0na")


def csv_huge_field():
    field = "x" * (csv.field_size_limit() + 10)
    return "people.csv", (_csv_text([HEADING]) + f'"{field}";a@b.example;extern;MfT\r\n').encode()


def csv_only_bom():
    return "people.csv", b"\xef\xbb\xbf"


def csv_empty():
    return "people.csv", b""


def binary_garbage_csv():
    return "people.csv", random.Random(6).randbytes(20_000)


def csv_undecodable():
    # Bytes that are neither UTF-8 nor defined in Windows-1252.
    return "people.csv", _csv_text([HEADING]).encode() + b"\x81\x8d\x8f\x90\x9d;x;y;z\r\n"


def csv_control_and_bidi_characters():
    rows = [
        HEADING,
        ["Anna\u202eAlbrecht", "anna@mft.example", "Verwaltung", "MfT"],
        ["Ben\x07Brandt", "ben@mft.example", "Verwaltung", "M\x1bfT"],
        ["Cem\u2066Celik", "cem@mft.example\u200f", "Verwaltung", "MfT"],
    ]
    return "people.csv", _csv_text(rows).encode()


def csv_ten_thousand_columns():
    heading = HEADING + [f"extra {n}" for n in range(10_000)]
    row = GOOD_ROW + ["x"] * 10_000
    return "people.csv", _csv_text([heading, row]).encode()


def csv_very_long_line():
    return "people.csv", _csv_text([HEADING, ["A" * 100_000, *GOOD_ROW[1:]]]).encode()


def csv_too_many_rows():
    rows = [HEADING] + [
        [f"P {n}", f"p{n}@mft.example", "Verwaltung", "MfT"] for n in range(imports.MAX_ROWS + 1)
    ]
    return "people.csv", _csv_text(rows).encode()


def csv_unclosed_quote_and_stray_delimiters():
    return "people.csv", b'Name;E-Mail;Seite;Organisation\r\n"Anna;;;\r\n;;;;;;\r\n'


def wrong_extension():
    return "people.exe", _csv_text([HEADING, GOOD_ROW]).encode()


CORPUS = [
    truncated_zip,
    zip_bomb,
    xlsx_without_sheets,
    xlsx_chart_sheet_first,
    xlsx_formulas_dates_booleans_numbers_merged,
    xlsx_huge_used_range,
    xlsx_entity_expansion,
    xlsm_renamed,
    ods_renamed,
    xls_renamed,
    xlsx_external_links,
    png_named_xlsx,
    csv_utf16,
    csv_with_nul,
    csv_huge_field,
    csv_only_bom,
    csv_empty,
    binary_garbage_csv,
    csv_undecodable,
    csv_control_and_bidi_characters,
    csv_ten_thousand_columns,
    csv_very_long_line,
    csv_too_many_rows,
    csv_unclosed_quote_and_stray_delimiters,
    wrong_extension,
]


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium für Test", short_name="MfT")
    OrganisationFactory(name="Partner GmbH", kind=Organisation.Kind.COMPANY)
    return CohortFactory(programme__organisation=ministry, state=Cohort.State.MATCHING)


def _messages(report):
    return report.file_errors + [error for row in report.error_rows for error in row.errors]


def test_the_corpus_is_what_the_report_counts():
    assert len(CORPUS) == len({make.__name__ for make in CORPUS}) == 25


@pytest.mark.parametrize("make", CORPUS, ids=lambda make: make.__name__)
def test_each_hostile_file_gets_a_clear_message_and_imports_nothing(cohort, make):
    name, data = make()
    assert len(data) <= imports.MAX_UPLOAD_BYTES
    office = office_user(cohort.programme.organisation)
    users_before = User.objects.count()
    with translation.override("en"):
        report, job = imports.participations_import_check(
            cohort=cohort, upload=SimpleUploadedFile(name, data), by=office
        )
    assert job is None and not report.ok
    messages = _messages(report)
    assert messages and all(len(message) > 10 for message in messages)
    assert not Participation.objects.exists() and not Job.objects.exists()
    assert User.objects.count() == users_before


@pytest.mark.parametrize("make", CORPUS, ids=lambda make: make.__name__)
def test_each_hostile_file_answers_400_on_the_page(client, cohort, make):
    name, data = make()
    client.force_login(office_user(cohort.programme.organisation))
    url = reverse("cohorts:participation_import", kwargs={"cohort_pk": cohort.pk})
    client.cookies["django_language"] = "en"
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing has been imported" in body or "CSV or XLSX" in body
    assert not Participation.objects.exists() and not Job.objects.exists()


def test_direction_characters_are_not_shown_back_to_the_office(cohort):
    name, data = csv_control_and_bidi_characters()
    office = office_user(cohort.programme.organisation)
    report, _job = imports.participations_import_check(
        cohort=cohort, upload=SimpleUploadedFile(name, data), by=office
    )
    labels = [row.label for row in report.error_rows]
    assert labels == ["Anna\ufffdAlbrecht", "Ben\ufffdBrandt", "Cem\ufffdCelik"]
    shown = "".join(labels + _messages(report))
    assert not any(ch in shown for ch in "\u202e\u2066\u200f\x07\x1b")


def test_a_good_file_passes_the_same_checks(cohort):
    """The corpus's good base file is accepted: what fails above is the damage."""
    office = office_user(cohort.programme.organisation)
    report, job = imports.participations_import_check(
        cohort=cohort, upload=SimpleUploadedFile("people.xlsx", _good_xlsx()), by=office
    )
    assert report.ok and job is not None
