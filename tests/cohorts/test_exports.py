"""Exports of a cohort's participants as CSV and XLSX."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cohorts.exports import participants_csv, participants_xlsx
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation
from tests.factories.core import UserFactory, office_user, participant_user, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    cohort = CohortFactory()
    ParticipationFactory(
        cohort=cohort, user=UserFactory(name="Anna Albrecht", email="anna@mluk.example")
    )
    external_participation(
        cohort, user=UserFactory(name="=HYPERLINK(evil)", email="ben@partner.example")
    )
    ParticipationFactory(user=UserFactory(name="Not In This Cohort"))
    return cohort


def _url(cohort, fmt):
    return reverse("cohorts:participation_export", kwargs={"cohort_pk": cohort.pk, "fmt": fmt})


def test_csv_contains_a_row_per_person(cohort):
    text = participants_csv(cohort).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 3
    emails = {row[1] for row in rows[1:]}
    assert emails == {"anna@mluk.example", "ben@partner.example"}
    # Formulas are defused: spreadsheet programs show them as text.
    assert "'=HYPERLINK(evil)" in {row[0] for row in rows}


def test_xlsx_contains_a_row_per_person(cohort):
    workbook = load_workbook(io.BytesIO(participants_xlsx(cohort)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"anna@mluk.example", "ben@partner.example"}
    # Kept as text, not as a formula.
    cell = next(c for c in workbook.active["A"] if c.value == "=HYPERLINK(evil)")
    assert cell.data_type == "s"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")],
)
def test_download_as_owner(client, cohort, fmt, content_type):
    client.force_login(office_user(cohort.programme.organisation))
    response = client.get(_url(cohort, fmt))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_unknown_format_is_404(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(_url(cohort, "pdf")).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_permissions(client, cohort, fmt):
    url = _url(cohort, fmt)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    client.force_login(participant_user())
    assert client.get(url).status_code == 403
    client.force_login(partner_user())
    assert client.get(url).status_code == 403
