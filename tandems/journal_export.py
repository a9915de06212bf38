"""The learning journal as a PDF for its author: made by the jobs mechanism
(pioneer.jobs) with WeasyPrint as tagged PDF/UA, in the author's language.

Only the author starts it (the view passes request.user) and only the author sees the
job's page and downloads the file (`pioneer.jobs.may_see`: the requester, and here a
participant still). The job holds no text: the entries are read when it runs, so one
deleted in between is not in the file. Safe to run twice: it only writes a file.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pioneer import jobs
from pioneer.models import Role
from pioneer.rules import roles_of
from tandems.journal_selectors import own_entries

KIND = "tandems.journal_pdf"


def _author(user, job):
    # pioneer.jobs.may_see has checked that the user asked for it; a person who lost the
    # participant role meanwhile cannot fetch it any more.
    return job.requested_by_id == user.pk and roles_of(user).has(Role.Kind.PARTICIPANT)


def run(job, progress):
    from weasyprint import HTML

    author = job.requested_by
    entries = list(own_entries(author))
    progress(0, 2)
    cohorts = []
    for entry in entries:
        cohort = entry.participation.cohort
        if not cohorts or cohorts[-1]["cohort"].pk != cohort.pk:
            cohorts.append({"cohort": cohort, "entries": []})
        cohorts[-1]["entries"].append(entry)
    title = _("Learning journal of %(name)s") % {"name": author}
    html = render_to_string(
        "tandems/journal/journal_pdf.html",
        {"title": title, "author": author, "cohorts": cohorts, "made_at": timezone.now()},
    )
    progress(1, 2)
    path = jobs.temporary_path(".pdf")
    HTML(string=html, base_url=None).write_pdf(path, pdf_variant="pdf/ua-1")
    progress(2, 2)
    filename = _("learning-journal")
    return jobs.JobOutput(path=path, filename=f"{filename}.pdf", content_type="application/pdf")


def register():
    jobs.register(
        KIND,
        run=run,
        may_see=_author,
        label=gettext_lazy("Learning journal (PDF)"),
        back=lambda job: reverse("tandems:journal"),
    )
