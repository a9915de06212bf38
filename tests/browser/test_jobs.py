"""The import's preview, a job's page while it waits and when it is done, and the held
invitations' button pass axe; the page polls with htmx and stops when the job is done."""

import pytest

from cohorts.models import Cohort, Participation
from pioneer.models import Job, User

pytestmark = pytest.mark.browser

CSV = (
    "Name;E-Mail;Seite;Organisation\r\n"
    "Jana Jobtest;jana.jobtest@mluk.example;Verwaltung;{org}\r\n"
    "Karl Jobtest;karl.jobtest@mluk.example;Verwaltung;{org}\r\n"
)


def test_import_preview_job_page_and_held_invitations(demo_world, visitor, tmp_path):
    cohort = Cohort.objects.get(slug="durchgang-2")
    office = User.objects.get(email="office@mluk.example")
    upload = tmp_path / "people.csv"
    upload.write_text(CSV.format(org=cohort.programme.organisation.name), encoding="utf-8")
    visitor.login("office@mluk.example")
    # A job that waits for a worker: the page shows its progress and polls.
    waiting = Job.objects.create(
        kind="cohorts.participant_export",
        requested_by=office,
        content_type_id=None,
        object_id=cohort.pk,
        state="queued",
    )
    visitor.goto(f"/jobs/{waiting.public_id}/")
    assert visitor.page.locator("progress").is_visible()
    assert visitor.page.locator("#job-status[hx-trigger]").count() == 1
    # The worker finishes: the page learns it by polling, without a reload.
    Job.objects.filter(pk=waiting.pk).update(state="done", summary={})
    visitor.page.locator("#job-status .kern-alert--success").wait_for(timeout=10_000)
    visitor.audit()
    visitor.goto(f"/cohorts/{cohort.pk}/participants/import/")
    visitor.page.locator("main input[type='file']").set_input_files(str(upload))
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert "Jana Jobtest" in visitor.page.content()
    visitor.page.locator("main input[name='hold_invitations']").check()
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert visitor.page.locator(".kern-alert--success").is_visible()
    assert Participation.objects.filter(cohort=cohort, invitation_held=True).count() == 2
    visitor.goto(f"/cohorts/{cohort.pk}/participants/")
    visitor.submit(visitor.page.locator("main form[action$='/send-invitations/'] button"))
    # First the check page (how many e-mails, each language's e-mail); nothing sent yet.
    assert Participation.objects.filter(cohort=cohort, invitation_held=True).count() == 2
    visitor.submit(visitor.page.locator("main form[action$='/send-invitations/'] button"))
    assert not Participation.objects.filter(cohort=cohort, invitation_held=True).exists()


def test_the_xlsx_export_page_offers_the_file(demo_world, visitor):
    cohort = Cohort.objects.get(slug="durchgang-2")
    visitor.login("office@mluk.example")
    visitor.goto(f"/cohorts/{cohort.pk}/participants/")
    visitor.submit(visitor.page.locator("main form[action$='/export.xlsx'] button"))
    link = visitor.page.locator("main a[href$='/download/']")
    assert link.is_visible()
    with visitor.page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
