"""The handbook: one blueprint, or a chosen set of them, as a PDF with a title page and a
table of contents, made by the jobs mechanism (pioneer.jobs) with WeasyPrint as tagged
PDF/UA, in the requester's language.

The job holds only the blueprints' ids; what goes in is decided when it runs, by what the
requester may see then (a blueprint withdrawn in between is left out). Safe to run
twice: it only writes a file.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blueprints import licences, selectors
from blueprints.markdown import render
from pioneer import jobs

KIND = "blueprints.handbook"
MAX_BLUEPRINTS = 50


def _may_see(user, job):
    # The requester's own job; the blueprints are checked again when it runs.
    return user.is_authenticated


def run(job, progress):
    from weasyprint import HTML

    ids = [int(i) for i in job.payload.get("ids", [])][:MAX_BLUEPRINTS]
    order = {pk: n for n, pk in enumerate(ids)}
    blueprints = sorted(
        selectors.visible_blueprints(job.requested_by).filter(pk__in=ids),
        key=lambda b: order[b.pk],
    )
    if not blueprints:
        raise jobs.JobError(_("None of the chosen blueprints can be read any more."))
    progress(0, len(blueprints) + 1)
    chapters = []
    for n, blueprint in enumerate(blueprints, start=1):
        chapters.append(
            {
                "anchor": f"blueprint-{blueprint.pk}",
                "blueprint": blueprint,
                "body": render(blueprint.body),
                "materials": render(blueprint.materials),
                "licence": licences.get(blueprint.licence),
                "files": selectors.files_of(blueprint),
            }
        )
        progress(n, len(blueprints) + 1)
    html = render_to_string(
        "blueprints/handbook.html",
        {"chapters": chapters, "made_at": timezone.now(), "title": _title(blueprints)},
    )
    path = jobs.temporary_path(".pdf")
    HTML(string=html, base_url=None).write_pdf(path, pdf_variant="pdf/ua-1")
    filename = _("Handbook") if len(blueprints) > 1 else blueprints[0].slug
    return jobs.JobOutput(path=path, filename=f"{filename}.pdf", content_type="application/pdf")


def _title(blueprints):
    if len(blueprints) == 1:
        return blueprints[0].title
    return _("Handbook: %(n)s blueprints") % {"n": len(blueprints)}


def register():
    jobs.register(
        KIND,
        run=run,
        may_see=_may_see,
        label=gettext_lazy("Handbook of blueprints (PDF)"),
        back=lambda job: reverse("blueprints:list"),
    )
