"""Participation certificates (Teilnahmebescheinigungen): one PDF per person at the end of
a cohort, listing what the apps answer to `cohorts.hooks.participation_record` (the
tandems app: the two hospitation phases; this app: the events actually attended).

Made by the jobs mechanism (one job for a whole cohort, with progress per person) with
WeasyPrint as tagged PDF/UA, in each person's own language. Each certificate carries a
random verification code; the public page answers for a code only: valid or superseded,
for whom, which cohort, issued when.

Safe to run twice: a job that finds its own certificate for a person skips them; a new
job supersedes the person's current certificate in the same transaction as it issues the
new one (the database allows one current certificate per participation).
"""

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts import hooks as cohort_hooks
from cohorts.models import Cohort, Participation
from companion.jobs import office_of_cohort
from companion.models import Certificate
from companion.storage import certificate_storage
from pioneer import jobs

KIND = "companion.certificates"
# Base32 without the letters and digits people mix up when they type a printed code.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20  # 32**20 = 2**100 codes
# Certificates are made for these cohorts: the running one (at its closing event) and
# the ones that have ended.
ISSUABLE = {Cohort.State.RUNNING, Cohort.State.EVALUATION, Cohort.State.CLOSED}
# Who gets one: everyone confirmed in the cohort who has not withdrawn.
HOLDERS = {
    Participation.State.CONFIRMED,
    Participation.State.ACTIVE,
    Participation.State.COMPLETED,
}


def new_code():
    return "".join(secrets.choice(ALPHABET) for _n in range(CODE_LENGTH))


def normalise_code(text):
    """What a person typed (any case, spaces or dashes between groups) as a stored code,
    or "" when it cannot be one."""
    code = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return ""
    return code


def holders(cohort):
    return (
        Participation.objects.filter(cohort=cohort, state__in=HOLDERS)
        .select_related("user", "organisation")
        .order_by("user__name", "pk")
    )


def record_lines(participation):
    """The certificate's lines from every app, by section and order."""
    lines = cohort_hooks.answers(
        cohort_hooks.participation_record, sender=Participation, participation=participation
    )
    return sorted(
        lines, key=lambda line: (line.order, line.start or timezone.localdate(), line.text)
    )


def verify_url(code):
    return settings.SITE_URL.rstrip("/") + reverse("companion:certificate_verify") + f"?code={code}"


def _render(participation, code, issued_at):
    from weasyprint import HTML

    lines = record_lines(participation)
    html = render_to_string(
        "companion/certificate.html",
        {
            "participation": participation,
            "cohort": participation.cohort,
            "programme": participation.cohort.programme,
            "phases": [line for line in lines if line.section == "phases"],
            "events": [line for line in lines if line.section == "events"],
            "others": [line for line in lines if line.section not in {"phases", "events"}],
            "issued_at": issued_at,
            "code": "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
            "verify_url": verify_url(code),
        },
    )
    pdf = HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    return pdf, sum(1 for line in lines if line.section == "events")


@transaction.atomic
def certificate_issue(*, participation, by, job=None, now=None):
    """Make `participation`'s certificate in the person's language and supersede their
    current one. Returns the certificate (the existing one when `job` made it already).

    Side effects: a PDF in the certificates' private storage; the old certificate marked
    superseded (its code answers as such) and its PDF deleted after the commit. The
    person's row is locked, so two jobs for one person at once issue one after the other,
    each leaving exactly one current.
    """
    now = now or timezone.now()
    participation = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("user", "cohort__programme__organisation", "organisation")
        .get(pk=participation.pk)
    )
    if job is not None:
        done = Certificate.objects.filter(participation=participation, job=job).first()
        if done is not None:
            return done
    language = participation.user.language or settings.LANGUAGE_CODE
    code = new_code()
    with translation.override(language):
        pdf, events_count = _render(participation, code, now)
    name = certificate_storage.save(f"{participation.cohort_id}/{code}.pdf", ContentFile(pdf))
    current = Certificate.objects.filter(participation=participation, superseded_at__isnull=True)
    old_files = [f for f in current.values_list("file_name", flat=True) if f]
    current.update(superseded_at=now, file_name="")
    # A superseded certificate's code still answers (as superseded); its PDF is personal
    # data nobody may download any more, so it goes once the new one is committed.
    transaction.on_commit(lambda: _delete_files(old_files))
    return Certificate.objects.create(
        participation=participation,
        code=code,
        holder_name=participation.user.name,
        language=language,
        issued_at=now,
        issued_by=by if getattr(by, "pk", None) else None,
        job=job,
        file_name=name,
        events_count=events_count,
    )


def _delete_files(names):
    for name in names:
        certificate_storage.delete(name)


def filename(certificate):
    from django.utils.text import slugify

    base = slugify(f"{_('Certificate of participation')} {certificate.holder_name}")
    return f"{base or 'certificate'}.pdf"


# --- the job ---------------------------------------------------------------------------


def run(job, progress):
    cohort = Cohort.objects.select_related("programme").filter(pk=job.object_id).first()
    if cohort is None:
        raise jobs.JobError(_("The cohort no longer exists."))
    if cohort.state not in ISSUABLE:
        raise jobs.JobError(_("Certificates are made once the cohort is running or has ended."))
    people = holders(cohort)
    wanted = job.payload.get("participations")
    if wanted:
        people = people.filter(pk__in=[int(pk) for pk in wanted])
    people = list(people)
    if not people:
        raise jobs.JobError(_("Nobody in this cohort can receive a certificate."))
    by = job.requested_by
    progress(0, len(people))
    for number, participation in enumerate(people, start=1):
        certificate_issue(participation=participation, by=by, job=job)
        progress(number, len(people))
    jobs.job_summary_store(job=job, issued=len(people))
    return None


def _describe(job):
    issued = job.summary.get("issued")
    if issued is None:
        return ""
    return ngettext(
        "%(count)s certificate has been made.", "%(count)s certificates have been made.", issued
    ) % {"count": issued}


def register():
    jobs.register(
        KIND,
        run=run,
        may_see=office_of_cohort,
        label=gettext_lazy("Participation certificates (PDF)"),
        back=lambda job: reverse("companion:certificates", kwargs={"cohort_pk": job.object_id}),
        describe=_describe,
    )
