"""The core's job mechanism: queued on commit, claimed once, retried a bounded number of
times, failures stored in the requester's language, results kept privately and expired;
the job page and the download as owner, stranger, anonymous visitor and wrong role."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pioneer import jobs
from pioneer.models import Job, Role
from pioneer.rules import roles_of
from tests.factories.core import office_user, participant_user

pytestmark = pytest.mark.django_db

runs = []


def _office(user, job):
    return roles_of(user).has(Role.Kind.PROGRAMME_OFFICE)


def _write(job, progress):
    runs.append(job.pk)
    progress(1, 2)
    path = jobs.temporary_path(".txt")
    with open(path, "w") as handle:
        handle.write("result of " + job.payload.get("word", ""))
    progress(2, 2)
    return jobs.JobOutput(path=path, filename="../../etc/evil name.txt", content_type="text/plain")


def _refuse(job, progress):
    raise jobs.JobError(_("The cohort is closed; nobody can join it any more."))


def _crash(job, progress):
    runs.append(job.pk)
    raise RuntimeError("disk on fire")


jobs.register("tests.write", run=_write, may_see=_office, label="Write")
jobs.register("tests.refuse", run=_refuse, may_see=_office, label="Refuse")
jobs.register("tests.crash", run=_crash, may_see=_office, label="Crash")


@pytest.fixture(autouse=True)
def _runs():
    runs.clear()


@pytest.fixture
def office():
    return office_user(language="en")


def _start(kind, by, django_capture_on_commit_callbacks, **payload):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind=kind, by=by, payload=payload)
    job.refresh_from_db()
    return job


# --- the service ------------------------------------------------------------------------


def test_a_job_is_queued_on_commit_and_runs_after_it(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_start(kind="tests.write", by=office, payload={"word": "hello"})
    assert job.state == Job.State.QUEUED and runs == []
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: inline without a broker
    job.refresh_from_db()
    assert job.state == Job.State.DONE and runs == [job.pk]
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert job.finished_at and job.expires_at > job.finished_at
    with jobs.result_storage().open(job.result_name) as handle:
        assert handle.read() == b"result of hello"


def test_the_result_is_kept_privately_under_a_server_made_name(
    office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks)
    path = jobs.result_storage().path(job.result_name)
    assert "evil" not in job.result_name and "/" not in job.result_name
    assert job.result_name.startswith(job.public_id.hex)
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert os.path.exists(path)
    with pytest.raises(ValueError):
        jobs.result_storage().url(job.result_name)  # no URL: nothing serves it directly


def test_running_twice_runs_once(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.job_start(kind="tests.write", by=office)
    assert jobs.job_run(job_id=job.pk) is True
    assert jobs.job_run(job_id=job.pk) is False
    assert runs == [job.pk]
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_job_awaiting_confirmation_does_not_run_until_confirmed(
    office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="tests.write", by=office, awaiting_confirmation=True)
    assert jobs.job_run(job_id=job.pk) is False
    assert runs == []
    stranger = office_user()
    assert jobs.job_confirm(job=job, by=stranger) is False
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.job_confirm(job=job, by=office, options={"x": 1}) is True
    assert jobs.job_confirm(job=job, by=office) is False  # a second click changes nothing
    job.refresh_from_db()
    assert job.state == Job.State.DONE and runs == [job.pk]
    assert job.payload["options"] == {"x": 1}


def test_a_crash_is_retried_a_bounded_number_of_times(office, django_capture_on_commit_callbacks):
    job = _start("tests.crash", office, django_capture_on_commit_callbacks)
    assert job.state == Job.State.QUEUED and job.attempts == 1
    for _attempt in range(jobs.MAX_ATTEMPTS - 1):
        jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == jobs.MAX_ATTEMPTS
    assert "disk on fire" not in job.error  # the details go to the log, not the page
    assert job.error == "Something went wrong. Please try again later."  # office is English
    assert jobs.job_run(job_id=job.pk) is False
    assert len(runs) == jobs.MAX_ATTEMPTS


def test_a_refusal_is_stored_in_the_requesters_language(django_capture_on_commit_callbacks):
    german = office_user(language="de")
    job = _start("tests.refuse", german, django_capture_on_commit_callbacks)
    assert job.state == Job.State.FAILED and job.attempts == 1
    assert job.error == "Der Durchgang ist abgeschlossen; niemand kann ihm mehr beitreten."


def test_the_dispatcher_takes_up_lost_and_stale_jobs(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the message
        lost = jobs.job_start(kind="tests.write", by=office)
        stale = jobs.job_start(kind="tests.write", by=office)
        fresh = jobs.job_start(kind="tests.write", by=office)
        dead = jobs.job_start(kind="tests.write", by=office)
    long_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=lost.pk).update(created_at=long_ago)
    Job.objects.filter(pk=stale.pk).update(state=Job.State.RUNNING, started_at=long_ago)
    Job.objects.filter(pk=dead.pk).update(
        state=Job.State.RUNNING, started_at=long_ago, attempts=jobs.MAX_ATTEMPTS
    )
    assert jobs.job_dispatch_pending() == 2
    states = dict(Job.objects.values_list("pk", "state"))
    assert states[lost.pk] == states[stale.pk] == Job.State.DONE
    assert states[fresh.pk] == Job.State.QUEUED  # its own message is still on its way
    assert states[dead.pk] == Job.State.FAILED


def test_expired_results_and_unconfirmed_previews_are_purged(
    office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks, word="secret")
    path = jobs.result_storage().path(job.result_name)
    preview = jobs.job_start(kind="tests.write", by=office, awaiting_confirmation=True)
    later = timezone.now() + timedelta(hours=settings.JOB_RESULT_HOURS, minutes=1)
    jobs.job_dispatch_pending(now=later)
    job.refresh_from_db()
    assert not os.path.exists(path)
    assert job.result_name == "" and job.payload == {} and job.is_expired
    assert not Job.objects.filter(pk=preview.pk).exists()


def test_an_unknown_kind_is_refused(office):
    with pytest.raises(LookupError):
        jobs.job_start(kind="tests.nonesuch", by=office)


# --- the page and the download ----------------------------------------------------------


def _detail(job):
    return reverse("job_detail", kwargs={"public_id": job.public_id})


def _download(job):
    return reverse("job_download", kwargs={"public_id": job.public_id})


def test_owner_sees_progress_while_queued_and_htmx_polls(client, office):
    job = Job.objects.create(kind="tests.write", requested_by=office, state=Job.State.QUEUED)
    client.force_login(office)
    body = client.get(_detail(job)).content.decode()
    assert 'hx-trigger="every 2s"' in body and "<progress" in body
    assert 'role="status"' in body and 'aria-live="polite"' in body
    fragment = client.get(_detail(job), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<progress" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_owner_gets_the_result_and_polling_stops(
    client, office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks, word="x")
    client.force_login(office)
    fragment = client.get(_detail(job), headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # htmx's "stop polling"
    assert _download(job) in fragment.content.decode()
    page = client.get(_detail(job)).content.decode()
    assert "hx-trigger" not in page and _download(job) in page
    response = client.get(_download(job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"result of x"
    assert response["Content-Disposition"].startswith("attachment")
    assert "evil" in response["Content-Disposition"] and "/" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_a_failed_job_shows_its_error(client, office, django_capture_on_commit_callbacks):
    job = _start("tests.refuse", office, django_capture_on_commit_callbacks)
    client.force_login(office)
    body = client.get(_detail(job)).content.decode()
    assert "The cohort is closed" in body and "kern-alert--danger" in body
    assert client.get(_download(job)).status_code == 404


def test_a_stranger_gets_404_and_an_anonymous_visitor_the_login(
    client, office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks)
    for url in (_detail(job), _download(job)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())  # same role, someone else's job
    assert client.get(_detail(job)).status_code == 404
    assert client.get(_download(job)).status_code == 404
    client.force_login(participant_user())
    assert client.get(_download(job)).status_code == 404


def test_the_requester_without_the_role_any_more_gets_403(
    client, office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks)
    Role.objects.filter(user=office).update(kind=Role.Kind.PARTNER_CONTACT)
    client.force_login(office)
    assert client.get(_detail(job)).status_code == 403
    assert client.get(_download(job)).status_code == 403


def test_an_expired_result_is_no_longer_downloadable(
    client, office, django_capture_on_commit_callbacks
):
    job = _start("tests.write", office, django_capture_on_commit_callbacks)
    jobs.job_purge_expired(now=timezone.now() + timedelta(days=30))
    client.force_login(office)
    assert client.get(_download(job)).status_code == 404
    assert "expired" in client.get(_detail(job)).content.decode()


def test_the_beat_dispatcher_runs_lost_jobs_too(office, django_capture_on_commit_callbacks):
    from pioneer.celery import app
    from pioneer.tasks import dispatch_due_notifications, run_job

    app.loader.import_default_modules()
    assert run_job.name in app.tasks
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the message
        job = jobs.job_start(kind="tests.write", by=office)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    dispatch_due_notifications.delay()
    job.refresh_from_db()
    assert job.state == Job.State.DONE


def test_a_job_of_an_unknown_kind_fails_once_and_its_page_is_404(client, office):
    job = Job.objects.create(kind="tests.gone", requested_by=office, state=Job.State.QUEUED)
    assert jobs.job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == 1
    client.force_login(office)
    assert client.get(_detail(job)).status_code == 404
