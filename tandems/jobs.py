"""The job kind of tandems, registered with the core's job mechanism (pioneer.jobs): the
matching of a large cohort, computed once per state of its inputs (tandems.matching)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pioneer import jobs
from pioneer.models import Role
from pioneer.rules import roles_of
from tandems import matching


def _office_of_cohort(user, job):
    """The requester is (still) the programme office of the job's cohort."""
    from tandems.selectors import tandem_cohorts_for

    if not roles_of(user).has(Role.Kind.PROGRAMME_OFFICE):
        return False
    return tandem_cohorts_for(user).filter(pk=job.object_id).exists()


def _matching_page(job):
    return reverse("tandems:matching", kwargs={"cohort_pk": job.object_id})


def register():
    jobs.register(
        matching.JOB_KIND,
        run=matching.run_job,
        may_see=_office_of_cohort,
        label=_("Matching suggestions"),
        back=_matching_page,
    )
