"""The job kinds of the companion app, registered with the core's job mechanism."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from cohorts.selectors import cohorts_for
from companion import exports
from pioneer import jobs
from pioneer.models import Role
from pioneer.rules import roles_of


def office_of_cohort(user, job):
    """The job's cohort is one the user's programme office runs (asked on every view)."""
    if not roles_of(user).has(Role.Kind.PROGRAMME_OFFICE):
        return False
    return cohorts_for(user).filter(pk=job.object_id).exists()


def _planner(job):
    return reverse("companion:planner", kwargs={"cohort_pk": job.object_id})


def run_export(job, progress):
    cohort = Cohort.objects.select_related("programme").filter(pk=job.object_id).first()
    if cohort is None:
        raise jobs.JobError(_("The cohort no longer exists."))
    path = jobs.temporary_path(".xlsx")
    exports.write_attendance_xlsx(cohort, path, progress=progress)
    return jobs.JobOutput(
        path=path,
        filename=exports.filename(cohort, "xlsx"),
        content_type=exports.XLSX_CONTENT_TYPE,
    )


def register():
    jobs.register(
        exports.EXPORT_KIND,
        run=run_export,
        may_see=office_of_cohort,
        label=_("Export of attendance (XLSX)"),
        back=_planner,
    )
