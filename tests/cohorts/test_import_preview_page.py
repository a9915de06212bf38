"""The import preview read by PostgreSQL (cohorts.import_preview: the counts, the first
person invited and one page of the stored rows in one query) shows what the job's rows
decoded in Python showed: the same summary and page for any page number (in range, past
it, below it, not a number), the same HTML in both languages, the uploader's own job only,
and the same number of queries."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts import import_preview
from cohorts.models import Cohort
from cohorts.services import imports
from pioneer.models import Job, Organisation
from tests.cohorts.test_import import HEADING, _csv
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user, partner_of

pytestmark = pytest.mark.django_db

NUMBERS = [None, "", "1", "2", "3", "4", "0", "-1", "abc", "2.0", "1.5", "99999999999999"]


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium für Test", short_name="MfT")
    return CohortFactory(programme__organisation=ministry, state=Cohort.State.MATCHING)


@pytest.fixture
def office(cohort):
    return office_user(cohort.programme.organisation)


def _job(cohort, office, count):
    company = partner_of(
        cohort.programme.organisation, name='<Partner & "Söhne">', kind=Organisation.Kind.COMPANY
    )
    # Some have an account already (one of them signed in: no invitation).
    for index in (1, 4):
        UserFactory(email=f"p{index}@mft.example", name=f"Bekannt {index}")
    rows = [HEADING] + [
        [
            f"Person <{index}> & 'Co'",
            f"p{index}@mft.example",
            "external" if index % 2 else "Verwaltung",
            company.name if index % 2 else "MfT",
            "",
            "",
            "en" if index % 3 else "de",
        ]
        for index in range(count)
    ]
    report, job = imports.participations_import_check(cohort=cohort, upload=_csv(rows), by=office)
    assert report.ok, report
    return job


def _old(job, number, size):
    from django.core.paginator import Paginator

    summary = imports.preview(job)
    invited = next((row for row in summary["rows"] if row["invited"]), None)
    page = Paginator(summary.pop("rows"), size).get_page(number)
    return summary, invited, page


@pytest.mark.parametrize("count", [0, 1, 7, 9])
def test_the_page_and_counts_are_the_decoded_rows(cohort, office, count):
    if count == 0:
        job = Job.objects.create(
            kind=imports.IMPORT_KIND,
            object_id=cohort.pk,
            requested_by=office,
            state=Job.State.AWAITING,
            payload={"rows": []},
        )
    else:
        job = _job(cohort, office, count)
    job = Job.objects.get(pk=job.pk)
    for number in NUMBERS:
        read = import_preview.preview_page(
            user=office, cohort=cohort, job_id=job.public_id, number=number, size=3
        )
        if connection.vendor != "postgresql":
            assert read is None
            continue
        if read is None:  # the paginator's own reading: only for a number out of range
            assert number == "99999999999999"
            continue
        got_job, summary, page = read
        old_summary, invited, old_page = _old(job, number, 3)
        assert (got_job.pk, got_job.state, got_job.public_id) == (job.pk, job.state, job.public_id)
        assert summary.pop("invited") == invited
        assert summary == old_summary
        assert list(page.object_list) == list(old_page.object_list), number
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (
            old_page.number,
            old_page.paginator.count,
            old_page.paginator.num_pages,
        )


def test_someone_elses_job_or_another_cohorts_is_not_found(cohort, office):
    job = _job(cohort, office, 2)
    other = office_user(cohort.programme.organisation)
    for user, in_cohort in ((other, cohort), (office, CohortFactory())):

        def read(user=user, in_cohort=in_cohort):
            return import_preview.preview_page(
                user=user, cohort=in_cohort, job_id=job.public_id, number=None, size=50
            )

        if connection.vendor != "postgresql":
            assert read() is None  # read as before, by the view
            continue
        with pytest.raises(Job.DoesNotExist):
            read()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_page_is_the_same_read_either_way(client, cohort, office, monkeypatch, language):
    ParticipationFactory(cohort=cohort)
    job = _job(cohort, office, 120)
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse(
        "cohorts:participation_import_preview",
        kwargs={"cohort_pk": cohort.pk, "job_id": job.public_id},
    )
    queries = ["", "?page=2", "?page=3", "?page=9", "?page=0", "?page=x", "?page=99999999999999"]

    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')

    def pages():
        found = []
        for query in queries:
            with CaptureQueriesContext(connection) as counted:
                response = client.get(url + query)
            assert response.status_code == 200
            found.append((token.sub(b"", response.content), len(counted)))
        return found

    read = pages()
    monkeypatch.setattr(import_preview, "preview_page", lambda **kwargs: None)
    assert pages() == read
    assert b"Person &lt;1&gt; &amp; &#x27;Co&#x27;" in read[0][0]


def test_a_stranger_gets_404_and_the_confirmation_still_imports(client, cohort, office):
    job = _job(cohort, office, 2)
    url = reverse(
        "cohorts:participation_import_preview",
        kwargs={"cohort_pk": cohort.pk, "job_id": job.public_id},
    )
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(url).status_code == 404
    client.force_login(office)
    assert client.post(url, {"hold_invitations": "on"}).status_code == 302
    assert Job.objects.get(pk=job.pk).state != Job.State.AWAITING
    # Confirmed: the preview sends to the job's page.
    assert client.get(url).status_code == 302
