"""One way to run long work: imports, exports and documents run as a `pioneer.Job`.

Apps register a kind here (cohorts does it in its AppConfig.ready, so pioneer never
imports an app):

    jobs.register(
        "cohorts.participant_export",
        run=run_export,          # (job, progress) -> JobOutput | None
        may_see=office_of_target,  # (user, job) -> bool, asked on every page and download
        label=gettext_lazy("Export of participants"),
        back=lambda job: reverse(...),  # where the page's "back" link leads
        describe=lambda job: "...",  # optional: the outcome in words, from job.summary
    )

A runner reports progress with `progress(done, total)`, raises `JobError("...")` for a
failure the requester can act on (stored in their language, not retried), and returns
a `JobOutput` when it made a file. Anything else it raises is retried up to
MAX_ATTEMPTS times, then stored as a generic failure. A runner that writes to the
database does it in one transaction and records its outcome in `job.summary` in that
same transaction (`job_summary_store`); it returns early when the summary is there
already, so a job whose worker died after the commit is not done twice.

The lifecycle (services below): job_start (queued on commit, or awaiting the office's
confirmation) -> job_confirm -> job_run (claimed by a conditional UPDATE) -> done or
failed; job_dispatch_pending (on the beat schedule) re-sends what a broker lost, takes
up the jobs of dead workers and deletes expired results.
"""

import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pioneer.celery import app as celery_app
from pioneer.celery import publish
from pioneer.models import Job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A running job older than this belongs to a worker that died; it is taken up again.
# Longer than any task may run (pioneer.celery: task_time_limit 300 s).
STALE_RUN = timedelta(minutes=15)
# A queued job the broker has not started after this is sent again by the dispatcher.
LOST_QUEUED = timedelta(minutes=2)
# A preview nobody confirmed is deleted after this (it holds the file's personal data).
AWAITING_HOURS = 24


class JobError(Exception):
    """A failure the requester can act on; its message is shown to them as it is."""


@dataclass
class JobOutput:
    """A runner's file: a path to a finished temporary file (moved into private
    storage, then deleted), the name the download offers, and its content type."""

    path: str
    filename: str
    content_type: str


@dataclass(frozen=True)
class JobKind:
    key: str
    run: Callable
    may_see: Callable
    label: object
    back: Callable | None = None
    describe: Callable | None = None


_KINDS: dict[str, JobKind] = {}


def register(key, *, run, may_see, label, back=None, describe=None):
    kind = JobKind(key=key, run=run, may_see=may_see, label=label, back=back, describe=describe)
    _KINDS[key] = kind
    return kind


def get_kind(key):
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown job kind {key!r}; register it first.") from None


def is_registered(key):
    return key in _KINDS


def result_storage():
    return storages["jobs"]


def temporary_path(suffix=""):
    """A fresh temporary file for a runner to write its result to (JobOutput.path)."""
    handle, path = tempfile.mkstemp(prefix="pioneer-job-", suffix=suffix)
    os.close(handle)
    return path


# --- reads ------------------------------------------------------------------------------


def jobs_for(user):
    """The jobs a person asked for; anyone else's job answers 404 in the views."""
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)


def may_see(user, job):
    """The kind's own check: is the requester still allowed to see this job's result?"""
    return job.requested_by_id == user.pk and bool(get_kind(job.kind).may_see(user, job))


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def job_start(*, kind, by, target=None, payload=None, awaiting_confirmation=False):
    """Create a job for `by` about `target` (any model instance, or None).

    Side effects: unless it awaits confirmation, its run is queued after commit (inline
    without a broker). A broker that is down fails nothing: the row stays queued and the
    dispatcher sends it later. Raises LookupError for an unregistered kind.
    """
    get_kind(kind)
    now = timezone.now()
    job = Job.objects.create(
        kind=kind,
        requested_by=by,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        state=Job.State.AWAITING if awaiting_confirmation else Job.State.QUEUED,
        language=by.language or settings.LANGUAGE_CODE,
        payload=payload or {},
        expires_at=now + timedelta(hours=AWAITING_HOURS) if awaiting_confirmation else None,
    )
    if not awaiting_confirmation:
        _queue_run(job.pk)
    return job


@transaction.atomic
def job_confirm(*, job, by, options=None):
    """The requester confirms a job that awaited confirmation; it is queued after commit.

    `options` (the requester's choices on the confirmation page, e.g. holding
    invitations) are added to the payload under "options"; the payload itself is what the
    server stored when the job was made. Returns False (and changes nothing) when the job
    is not the requester's or does not await confirmation any more (a second click).
    """
    if job.requested_by_id != by.pk:
        return False
    payload = dict(job.payload)
    payload["options"] = options or {}
    won = Job.objects.filter(pk=job.pk, state=Job.State.AWAITING).update(
        state=Job.State.QUEUED, payload=payload, expires_at=None, language=by.language
    )
    if won:
        _queue_run(job.pk)
    job.refresh_from_db()
    return bool(won)


RUN_TASK = "pioneer.tasks.run_job"


def _queue_run(job_id):
    if celery_app.conf.task_always_eager:
        # No broker (the embedded set-up): run after commit, in this process.
        transaction.on_commit(lambda: job_run(job_id=job_id), robust=True)
    else:
        # With the broker down this returns at once; the row stays queued and
        # job_dispatch_pending (beat or `manage.py dispatch_notifications`) sends it.
        transaction.on_commit(lambda: publish(RUN_TASK, args=[job_id]), robust=True)


def _claimable(now):
    return Q(state=Job.State.QUEUED) | Q(
        state=Job.State.RUNNING, started_at__lt=now - STALE_RUN, attempts__lt=MAX_ATTEMPTS
    )


def job_claim(*, job_id, now=None):
    """Claim a queued job (or a dead worker's) with a conditional UPDATE: of any number
    of callers, one gets the claim time back, the others None. Counts an attempt."""
    now = now or timezone.now()
    won = Job.objects.filter(_claimable(now), pk=job_id).update(
        state=Job.State.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return now if won else None


def job_summary_store(*, job, **values):
    """Record a runner's outcome on the job; called inside the runner's own transaction,
    so the outcome and the work commit together (the "already done?" mark)."""
    job.summary = {**job.summary, **values}
    Job.objects.filter(pk=job.pk).update(summary=job.summary)


def job_run(*, job_id, now=None):
    """Run a job unless it is running, done, failed or awaiting confirmation (safe to
    run twice). Returns True if this call finished it.

    Side effects: whatever the kind's runner does; a result file in private storage;
    the job's state, progress, error and times. The runner runs in the requester's
    language, so the messages it stores are theirs.
    """
    claimed_at = job_claim(job_id=job_id, now=now)
    if claimed_at is None:
        return False
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    ours = Job.objects.filter(pk=job_id, state=Job.State.RUNNING, started_at=claimed_at)
    if not is_registered(job.kind):  # retrying cannot help
        log.error("Job %s has the unknown kind %r", job.pk, job.kind)
        ours.update(state=Job.State.FAILED, finished_at=timezone.now(), error="")
        return False
    kind = get_kind(job.kind)

    def progress(done, total):
        ours.update(progress_done=max(0, done), progress_total=max(0, total))

    with translation.override(job.language):
        try:
            output = kind.run(job, progress)
        except JobError as exc:
            finished = timezone.now()
            ours.update(
                state=Job.State.FAILED, error=str(exc), finished_at=finished, **_expiry(finished)
            )
            return False
        except SoftTimeLimitExceeded:
            _record_failure(ours, job, _("The work took too long and was stopped."))
            raise
        except Exception:
            log.exception("Job %s (%s) failed, attempt %s", job.pk, job.kind, job.attempts)
            _record_failure(ours, job, _("Something went wrong. Please try again later."))
            return False
    finished = timezone.now()
    fields = {"state": Job.State.DONE, "finished_at": finished, "error": "", **_expiry(finished)}
    if output is not None:
        fields.update(_store_output(job, output))
    if not ours.update(**fields) and fields.get("result_name"):
        # We lost the claim meanwhile (another run took over): ours is not the result.
        result_storage().delete(fields["result_name"])
        return False
    return True


def _expiry(finished):
    return {"expires_at": finished + timedelta(hours=settings.JOB_RESULT_HOURS)}


def _record_failure(ours, job, message):
    if job.attempts >= MAX_ATTEMPTS:
        finished = timezone.now()
        ours.update(
            state=Job.State.FAILED, error=message, finished_at=finished, **_expiry(finished)
        )
    else:  # back in the queue; the dispatcher sends it again
        ours.update(state=Job.State.QUEUED, error="")


def _store_output(job, output):
    extension = os.path.splitext(output.filename)[1].lower()[:10]
    # A name the server made: nothing of the requester's text reaches the disk.
    name = f"{job.public_id.hex}-{secrets.token_hex(8)}{extension}"
    try:
        with open(output.path, "rb") as handle:
            stored = result_storage().save(name, File(handle, name=name))
    finally:
        os.unlink(output.path)
    return {
        "result_name": stored,
        "result_filename": output.filename[:255],
        "result_content_type": output.content_type[:255],
    }


def job_dispatch_pending(*, now=None, limit=200):
    """Send what a broker lost, take up dead workers' jobs, purge what expired.

    Called by the beat dispatcher. Sends queued jobs older than LOST_QUEUED and stale
    running ones (inline without a broker); fails stale ones out of attempts; deletes
    expired result files (the job row stays, marked expired, without its payload), and
    deletes previews nobody confirmed. Returns how many jobs were sent or run.
    """
    now = now or timezone.now()
    job_purge_expired(now=now)
    Job.objects.filter(
        state=Job.State.RUNNING, started_at__lt=now - STALE_RUN, attempts__gte=MAX_ATTEMPTS
    ).update(
        state=Job.State.FAILED,
        finished_at=now,
        error=_("The work was interrupted too often and has been given up."),
        **_expiry(now),
    )
    pending = list(
        Job.objects.filter(
            Q(state=Job.State.QUEUED, created_at__lt=now - LOST_QUEUED)
            | Q(state=Job.State.RUNNING, started_at__lt=now - STALE_RUN)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        # Inline without a broker, or when it is down: the work must not wait for it.
        if celery_app.conf.task_always_eager or not publish(RUN_TASK, args=[pk]):
            job_run(job_id=pk, now=now)
    return len(pending)


def job_purge_expired(*, now=None):
    """Delete expired result files and unconfirmed previews. Returns how many jobs.

    The job rows stay (their page says the result has expired); their data goes. A file
    that cannot be deleted now keeps its row as it is, for the next run.
    """
    now = now or timezone.now()
    Job.objects.filter(expires_at__lte=now, state=Job.State.AWAITING).delete()
    storage = result_storage()
    purged = []
    for job in Job.objects.filter(expires_at__lte=now).only("pk", "result_name"):
        if job.result_name:
            try:
                storage.delete(job.result_name)
            except OSError:  # the notifications dispatched after this must still go out
                log.exception("Could not delete the result of job %s", job.pk)
                continue
        purged.append(job.pk)
    Job.objects.filter(pk__in=purged).update(result_name="", payload={}, expires_at=None)
    return len(purged)
