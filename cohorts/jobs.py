"""The job kinds of cohorts, registered with the core's job mechanism (pioneer.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from cohorts.selectors import cohorts_for, registrations_for_office
from cohorts.services import exports, imports
from pioneer import jobs
from pioneer.models import Role
from pioneer.rules import roles_of


def _office_of_cohort(user, job):
    """The requester is (still) the programme office of the job's cohort."""
    if not roles_of(user).has(Role.Kind.PROGRAMME_OFFICE):
        return False
    return cohorts_for(user).filter(pk=job.object_id).exists()


def _participant_list(job):
    return reverse("cohorts:participation_list", kwargs={"cohort_pk": job.object_id})


def run_export(job, progress):
    cohort = Cohort.objects.select_related("programme").filter(pk=job.object_id).first()
    if cohort is None:
        raise jobs.JobError(_("The cohort no longer exists."))
    path = jobs.temporary_path(".xlsx")
    # A selection's ids were written by the server after scoping them to the office.
    exports.write_participants_xlsx(cohort, path, progress=progress, ids=job.payload.get("ids"))
    return jobs.JobOutput(
        path=path,
        filename=exports.filename(cohort, "xlsx"),
        content_type=exports.XLSX_CONTENT_TYPE,
    )


def _office_of_registrations(user, job):
    """The requester is (still) the programme office of the exported registrations."""
    if not roles_of(user).has(Role.Kind.PROGRAMME_OFFICE):
        return False
    if job.object_id is not None:
        return _office_of_cohort(user, job)
    ids = job.payload.get("ids") or []
    return registrations_for_office(user).filter(pk__in=ids).exists()


def _registration_list(job):
    if job.object_id is not None:
        return reverse("cohorts:cohort_registrations", kwargs={"cohort_pk": job.object_id})
    return reverse("cohorts:registration_list")


def run_registration_export(job, progress):
    """A cohort's registrations, or a selection (`payload["ids"]`), of the requester's
    office only: the job reads them through the office's scope again."""
    rows = registrations_for_office(job.requested_by)
    cohort = None
    if job.object_id is not None:
        cohort = Cohort.objects.select_related("programme").filter(pk=job.object_id).first()
        if cohort is None:
            raise jobs.JobError(_("The cohort no longer exists."))
        rows = rows.filter(cohort=cohort)
    if job.payload.get("ids") is not None:
        rows = rows.filter(pk__in=job.payload["ids"])
    path = jobs.temporary_path(".xlsx")
    exports.write_registrations_xlsx(rows, path, progress=progress)
    return jobs.JobOutput(
        path=path,
        filename=exports.filename(cohort, "xlsx", label=_("registrations")),
        content_type=exports.XLSX_CONTENT_TYPE,
    )


def register():
    jobs.register(
        imports.IMPORT_KIND,
        run=imports.run_import,
        may_see=_office_of_cohort,
        label=_("Import of participants"),
        back=_participant_list,
        describe=imports.import_outcome,
    )
    jobs.register(
        exports.EXPORT_KIND,
        run=run_export,
        may_see=_office_of_cohort,
        label=_("Export of participants (XLSX)"),
        back=_participant_list,
    )
    jobs.register(
        exports.REGISTRATION_EXPORT_KIND,
        run=run_registration_export,
        may_see=_office_of_registrations,
        label=_("Export of registrations of interest (XLSX)"),
        back=_registration_list,
    )
