"""Exports of a cohort's participants as CSV and XLSX."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cohorts.services.exports import participants_csv, participants_xlsx
from pioneer.models import Job
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation
from tests.factories.core import UserFactory, office_user, participant_user, partner_user
from tests.pioneer import test_tasks

pytestmark = pytest.mark.django_db
# The real worker of the notification tests, shared.
celery_worker_process = test_tasks.celery_worker_process


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


def test_csv_download_streams_as_owner(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    response = client.get(_url(cohort, "csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith('.csv"')
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "anna@mluk.example" in text and "Not In This Cohort" not in text


def test_xlsx_is_made_by_a_job_and_downloaded_from_its_page(
    client, cohort, django_capture_on_commit_callbacks
):
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    assert client.get(_url(cohort, "xlsx")).status_code == 405  # a GET starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(cohort, "xlsx"))
    job = Job.objects.get(kind="cohorts.participant_export")
    assert response.status_code == 302
    assert response.url == reverse("job_detail", kwargs={"public_id": job.public_id})
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.requested_by == office
    download = client.get(reverse("job_download", kwargs={"public_id": job.public_id}))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(list(workbook.active.iter_rows())) == 3
    # Another office of the same role cannot see the job or its file.
    client.force_login(office_user())
    assert (
        client.get(reverse("job_download", kwargs={"public_id": job.public_id})).status_code == 404
    )


def test_text_xlsx_forbids_cannot_break_the_export(cohort):
    ParticipationFactory(
        cohort=cohort,
        user=UserFactory(
            name="Bell\x07 and\x01 SOH", email="ctrl@example.org"
        ),  # no NUL: PostgreSQL refuses it
        goals="line\x1bescape\u202eevil",
    )
    workbook = load_workbook(io.BytesIO(participants_xlsx(cohort)))
    row = next(r for r in workbook.active.iter_rows(values_only=True) if r[1] == "ctrl@example.org")
    assert row[0] == "Bell\ufffd and\ufffd SOH"
    assert "\x1b" not in row[7] and "\u202e" in row[7]  # bidi marks are legal in XLSX
    text = participants_csv(cohort).decode("utf-8-sig")
    assert "\x01" not in text and "Bell\ufffd and\ufffd SOH" in text


def test_exports_hold_every_row_beyond_the_old_2000_cap(cohort):
    from cohorts.models import Participation
    from pioneer.models import User

    organisation = cohort.programme.organisation
    users = User.objects.bulk_create(
        [User(email=f"many{n}@example.org", name=f"Many {n}") for n in range(2100)]
    )
    Participation.objects.bulk_create(
        [
            Participation(
                cohort=cohort, user=user, organisation=organisation, side="administration"
            )
            for user in users
        ]
    )
    rows = list(
        csv.reader(io.StringIO(participants_csv(cohort).decode("utf-8-sig")), delimiter=";")
    )
    assert len(rows) == 1 + 2 + 2100
    workbook = load_workbook(io.BytesIO(participants_xlsx(cohort)), read_only=True)
    assert sum(1 for _row in workbook.active.iter_rows()) == 1 + 2 + 2100


def test_unknown_format_is_404(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(_url(cohort, "pdf")).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_permissions(client, cohort, fmt):
    url = _url(cohort, fmt)
    response = client.post(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.post(url).status_code == 404
    client.force_login(participant_user())
    assert client.post(url).status_code == 403
    client.force_login(partner_user())
    assert client.post(url).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.worker
def test_a_real_worker_makes_the_xlsx(_worker_shares_private_root, celery_worker_process):
    import time

    from django.db import transaction

    from pioneer import jobs

    process, log = celery_worker_process
    cohort = CohortFactory()
    ParticipationFactory(cohort=cohort, user=UserFactory(email="worker@example.org"))
    office = office_user(cohort.programme.organisation)
    with transaction.atomic():
        job = jobs.job_start(kind="cohorts.participant_export", by=office, target=cohort)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        job.refresh_from_db()
        if job.state in {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    assert job.state == Job.State.DONE, log.read_text()[-3000:]
    assert "pioneer.tasks.run_job" in log.read_text()
    with jobs.result_storage().open(job.result_name) as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert "worker@example.org" in {row[1] for row in workbook.active.iter_rows(values_only=True)}
