"""The page of a job (its progress, then its result or error) and its download.

Only the person who asked for a job sees it: anyone else's job answers 404. The kind's
own check (`may_see`) decides whether the requester may still see it (for instance, is
still the cohort's office): if not, 403.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render

from pioneer import jobs
from pioneer.permissions import scoped_object_or_404

# htmx stops polling when a response has this status (its documented "stop" code).
HTMX_STOP_POLLING = 286


def _job(request, public_id):
    job = scoped_object_or_404(jobs.jobs_for(request.user), public_id=public_id)
    if not jobs.is_registered(job.kind):  # a kind a newer version no longer has
        raise Http404
    if not jobs.may_see(request.user, job):
        raise PermissionDenied
    return job


@login_required
def job_detail(request, public_id):
    job = _job(request, public_id)
    kind = jobs.get_kind(job.kind)
    context = {
        "job": job,
        "label": kind.label,
        "back_url": kind.back(job) if kind.back else "",
        "outcome": kind.describe(job) if kind.describe and job.summary else "",
    }
    if request.htmx:
        response = render(request, "pioneer/job_detail.html#status", context)
        if not job.is_active:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "pioneer/job_detail.html", context)


@login_required
def job_download(request, public_id):
    job = _job(request, public_id)
    if job.state != job.State.DONE or not job.result_name:
        raise Http404
    try:
        handle = jobs.result_storage().open(job.result_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.result_filename,
        content_type=job.result_content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    return response
