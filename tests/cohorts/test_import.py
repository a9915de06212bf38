"""Import of participants from CSV and XLSX: every row checked first, all or nothing."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cohorts.importing import participations_import
from cohorts.models import Cohort, Participation
from pioneer.models import Organisation, Role, User
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user, partner_of

pytestmark = pytest.mark.django_db

HEADING = ["Name", "E-Mail", "Seite", "Organisation", "Position", "Themen", "Sprache"]


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium für Test", short_name="MfT")
    return CohortFactory(programme__organisation=ministry, state=Cohort.State.MATCHING)


@pytest.fixture
def company(cohort):
    return partner_of(
        cohort.programme.organisation, name="Partner Digital GmbH", kind=Organisation.Kind.COMPANY
    )


@pytest.fixture
def office(cohort):
    return office_user(cohort.programme.organisation)


def _rows(company):
    return [
        HEADING,
        ["Anna Albrecht", "anna@mft.example", "Verwaltung", "MfT", "Referentin", "KI", "de"],
        ["Ben Brandt", "ben@partner.example", "external", company.name, "", "Daten", "English"],
    ]


def _csv(rows, name="people.csv", delimiter=";", encoding="utf-8-sig"):
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows, name="people.xlsx"):
    workbook = Workbook()
    for cells in rows:
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_good_csv_is_imported_and_everyone_invited(
    cohort, company, django_capture_on_commit_callbacks, office
):
    with django_capture_on_commit_callbacks(execute=True):
        report = participations_import(cohort=cohort, upload=_csv(_rows(company)), by=office)
    assert report.ok and report.created == 2
    anna = Participation.objects.get(cohort=cohort, user__email="anna@mft.example")
    ben = Participation.objects.get(cohort=cohort, user__email="ben@partner.example")
    assert anna.side == "administration" and anna.organisation == cohort.programme.organisation
    assert anna.position == "Referentin" and anna.topics == "KI"
    assert ben.side == "external" and ben.organisation == company
    assert ben.user.language == "en"
    assert Role.objects.filter(kind="participant", user__in=[anna.user, ben.user]).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@mft.example", "ben@partner.example"]


def test_a_good_xlsx_is_imported(cohort, company, office):
    report = participations_import(cohort=cohort, upload=_xlsx(_rows(company)), by=office)
    assert report.ok and report.created == 2
    assert Participation.objects.filter(cohort=cohort).count() == 2


def test_a_comma_separated_cp1252_csv_with_english_headings(cohort, company, office):
    rows = [
        ["name", "email", "side", "organisation", "goals"],
        ["Jörg Müller", "joerg@mft.example", "administration", "Ministerium für Test", "Lernen"],
    ]
    report = participations_import(
        cohort=cohort, upload=_csv(rows, delimiter=",", encoding="cp1252"), by=office
    )
    assert report.ok
    assert User.objects.get(email="joerg@mft.example").name == "Jörg Müller"


def test_a_broken_row_imports_nothing_and_names_the_row(
    cohort, company, django_capture_on_commit_callbacks, office
):
    rows = _rows(company) + [
        ["", "kaputt", "irgendwo", "Unbekannte AG", "", "", "fr"],
        ["Clara Conrad", "clara@mft.example", "external", "MfT", "", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = participations_import(cohort=cohort, upload=_csv(rows), by=office)
    assert not report.ok
    assert [row.line for row in report.error_rows] == [4, 5]
    assert len(report.error_rows[0].errors) >= 3  # name, e-mail, and the rest
    assert not Participation.objects.exists()
    assert not User.objects.filter(email__in=["anna@mft.example", "clara@mft.example"]).exists()
    assert mail.outbox == []


def test_the_same_address_twice_or_already_in_the_cohort(cohort, company, office):
    existing = ParticipationFactory(cohort=cohort)
    rows = _rows(company) + [
        ["Anna Again", "ANNA@mft.example", "administration", "MfT"],
        ["Known", existing.user.email, "administration", "MfT"],
    ]
    report = participations_import(cohort=cohort, upload=_xlsx(rows), by=office)
    assert [row.line for row in report.error_rows] == [4, 5]
    assert "line 2" in report.error_rows[0].errors[0] or "Zeile 2" in report.error_rows[0].errors[0]
    assert Participation.objects.filter(cohort=cohort).count() == 1


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (SimpleUploadedFile("people.pdf", b"%PDF-1.4"), "CSV"),
        (SimpleUploadedFile("people.xlsx", b"name;email\n"), "XLSX"),
        (SimpleUploadedFile("people.csv", b"PK\x03\x04rest"), "CSV"),
        (SimpleUploadedFile("people.csv", b"Name;E-Mail\r\nA;a@example.org\r\n"), "columns"),
        (SimpleUploadedFile("people.csv", b"  \r\n"), "empty"),
    ],
)
def test_unreadable_files_are_refused_whole(cohort, upload, fragment, office):
    from django.utils import translation

    with translation.override("en"):
        report = participations_import(cohort=cohort, upload=upload, by=office)
    assert not report.ok
    assert fragment in report.file_errors[0]
    assert not Participation.objects.exists()


def test_a_workbook_that_unpacks_too_large_is_refused(cohort, office):
    """A zip bomb: a small upload that would unpack to more than the limit."""
    import zipfile

    from django.utils import translation

    from cohorts import importing

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (importing.MAX_UNPACKED_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < importing.MAX_UPLOAD_BYTES
    with translation.override("en"):
        report = participations_import(
            cohort=cohort, upload=SimpleUploadedFile("people.xlsx", data), by=office
        )
    assert not report.ok
    assert "too large when unpacked" in report.file_errors[0]
    assert not Participation.objects.exists()


# the view ----------------------------------------------------------------------------------


def _url(cohort):
    return reverse("cohorts:participation_import", kwargs={"cohort_pk": cohort.pk})


def test_view_imports_a_good_file(client, cohort, company):
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(_url(cohort)).status_code == 200
    response = client.post(_url(cohort), {"file": _xlsx(_rows(company))})
    assert response.status_code == 302
    assert Participation.objects.filter(cohort=cohort).count() == 2


def test_view_shows_the_report_and_imports_nothing(client, cohort, company):
    client.force_login(office_user(cohort.programme.organisation))
    client.cookies["django_language"] = "en"
    rows = _rows(company) + [["Zed", "zed@example.org", "external", "Nowhere Ltd"]]
    response = client.post(_url(cohort), {"file": _csv(rows)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing has been imported" in body
    assert "Nowhere Ltd" in body and "Zed" in body
    assert not Participation.objects.exists()


def test_view_without_a_file(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    assert client.post(_url(cohort), {}).status_code == 400


def test_view_permissions(client, cohort, company):
    url = _url(cohort)
    response = client.post(url, {"file": _csv(_rows(company))})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": _csv(_rows(company))}).status_code == 404
    client.force_login(participant_user())
    assert client.post(url, {"file": _csv(_rows(company))}).status_code == 403
    assert not Participation.objects.exists()
    other = CohortFactory()
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(_url(other)).status_code == 404
