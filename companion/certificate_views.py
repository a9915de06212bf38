"""Pages of participation certificates.

- the office (a tab of the cohort page): everyone who receives one, with their current
  certificate; making them for the whole cohort or one person is a job (its page shows
  the progress and says when they are ready);
- a participant: their own certificates, each a download (checked on every request);
- anyone: the public check of a verification code, which says only whether it is valid
  or superseded, for whom, which cohort and when it was issued.
"""

from collections import namedtuple

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.figures import kept
from cohorts.models import Participation
from cohorts.selectors import cohorts_for
from companion import certificates
from companion.forms import CertificateMakeForm, CertificateVerifyForm
from companion.models import Certificate
from companion.rows import certificate_rows
from companion.storage import certificate_storage
from companion.views import OFFICE, PARTICIPANT, cohort_frame, office_cohort, render_form
from pioneer import compiled, jobs
from pioneer.models import Job, User
from pioneer.permissions import role_required, scoped_object_or_404
from pioneer.ratelimit import over_limit

PAGE_SIZE = 25
# The public check: more than this many lookups a minute from one address are refused.
VERIFY_LIMIT = 30


def _holder_ids(cohort):
    """The ids of the cohort's holders (by name, then id), kept in the cache under the
    change token of cohorts.figures (a participation or a person written replaces it).

    Sorting the holders by name reads every holder's name: at N = 50 the big cohort's 260
    holders among its 1,000 people, 0.4 ms of SQL more than at N = 1 on every visit. The
    sort key is each holder's name read by their id (a large cohort's few hundred
    holders, not a hash of every account of the installation)."""

    def compute():
        by_name = Subquery(User.objects.filter(pk=OuterRef("user_id")).order_by().values("name"))
        return list(
            certificates.holders(cohort)
            .select_related(None)
            .order_by(by_name, "pk")
            .values_list("pk", flat=True)
        )

    return kept("certificate_holders", compute, cohort.pk)


# A holder of the certificates page: what its row shows.
HolderRow = namedtuple(
    "HolderRow",
    "pk name email organisation certificate_pk certificate_issued_at certificate_events",
)
_HOLDER_COLUMNS = (
    "pk",
    "user__name",
    "user__email",
    "organisation__name",
    "certificate_pk",
    "certificate_issued_at",
    "certificate_events",
)


def _holder_rows(**holders):
    current = Certificate.objects.filter(participation=OuterRef("pk"), superseded_at__isnull=True)
    return (
        Participation.objects.filter(pk__in=list(holders.values()))
        .annotate(
            certificate_pk=Subquery(current.values("pk")[:1]),
            certificate_issued_at=Subquery(current.values("issued_at")[:1]),
            certificate_events=Subquery(current.values("events_count")[:1]),
        )
        .order_by()
        .values(*_HOLDER_COLUMNS)
    )


def holder_rows(ids):
    """The holders `ids` names, in that order, as `HolderRow`s with their current
    certificate (one query, its SQL compiled once per process and number of ids)."""
    if not ids:
        return []
    found = {
        row["pk"]: HolderRow(*(row[name] for name in _HOLDER_COLUMNS))
        for row in compiled.values(
            f"companion.holder_rows.{len(ids)}",
            _holder_rows,
            **{f"holder{index}": pk for index, pk in enumerate(ids)},
        )
    }
    return [found[pk] for pk in ids if pk in found]


def _holders_page(cohort, number):
    """The page `number` of the cohort's holders (by name), with their current
    certificate: the page's ids cut from the kept ones (`_holder_ids`), their rows read
    with what they show (`holder_rows`)."""
    page = Paginator(_holder_ids(cohort), PAGE_SIZE).get_page(number)
    page.object_list = holder_rows(list(page.object_list))
    return page


def _last_job(user, cohort):
    # `jobs.jobs_for(user)`'s jobs of the cohort, newest first. (The cohort as a raw
    # parameter: the backend types a positive big integer's value, which
    # pioneer.compiled then does not find among the parameters as its marker.)
    return Job.objects.filter(
        requested_by=user, kind=certificates.KIND, object_id=RawSQL("%s", [cohort])
    ).order_by("-created_at")


def _issued(cohort):
    # How many holders have a current certificate: kept under cohorts.figures' change
    # token, which a certificate made or deleted replaces (companion.signals).
    return Certificate.objects.filter(
        participation__in=certificates.holders(cohort), superseded_at__isnull=True
    )


@role_required(OFFICE)
def certificates_page(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    page = _holders_page(cohort, request.GET.get("page"))
    last_job = compiled.objects(
        "companion.last_certificates_job",
        _last_job,
        limit=1,
        user=request.user.pk,
        cohort=cohort.pk,
    )
    return render(
        request,
        "companion/certificates.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "people": page,
            "page": page,
            "rows": certificate_rows(page.object_list, cohort.state in certificates.ISSUABLE),
            "total": page.paginator.count,
            "issued": kept(
                "certificates_issued",
                lambda: compiled.count("companion.certificates_issued", _issued, cohort=cohort.pk),
                cohort.pk,
            ),
            "issuable": cohort.state in certificates.ISSUABLE,
            "last_job": last_job[0] if last_job else None,
            **cohort_frame(request, cohort, "certificates"),
        },
    )


@role_required(OFFICE)
@require_POST
def certificates_make(request, cohort_pk):
    """Start the job for everyone, or for the one person chosen."""
    cohort = office_cohort(request, cohort_pk)
    form = CertificateMakeForm(request.POST, holders=certificates.holders(cohort))
    if not form.is_valid() or cohort.state not in certificates.ISSUABLE:
        messages.error(
            request,
            _("Certificates are made once the cohort is running or has ended.")
            if cohort.state not in certificates.ISSUABLE
            else _("Choose a person of this cohort."),
        )
        return redirect("companion:certificates", cohort_pk=cohort.pk)
    person = form.cleaned_data.get("participation")
    job = jobs.job_start(
        kind=certificates.KIND,
        by=request.user,
        target=cohort,
        payload={"participations": [person.pk]} if person else {},
    )
    return redirect("job_detail", public_id=job.public_id)


def certificates_for(user):
    """Current certificates the person may download: their own, and those of the cohorts
    their programme office runs."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(
        Q(participation__user=user) | Q(participation__cohort__in=cohorts_for(user)),
        superseded_at__isnull=True,
    ).select_related("participation__cohort__programme")


@role_required(PARTICIPANT)
def my_certificates(request):
    own = (
        Certificate.objects.filter(participation__user=request.user, superseded_at__isnull=True)
        .select_related("participation__cohort__programme")
        .order_by("-issued_at", "-pk")
    )
    return render(request, "companion/my_certificates.html", {"certificates": list(own)})


@role_required(OFFICE, PARTICIPANT)
def certificate_download(request, pk):
    certificate = scoped_object_or_404(certificates_for(request.user), pk=pk)
    try:
        handle = certificate_storage.open(certificate.file_name, "rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=certificates.filename(certificate),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def certificate_verify(request):
    """Public: what a code stands for, and nothing more."""
    form = CertificateVerifyForm(request.GET or None)
    found = None
    limited = False
    if form.is_bound and form.is_valid():
        if over_limit(request, action="certificate_verify", limit=VERIFY_LIMIT, period=60):
            limited = True
        else:
            # What the answer shows, and nothing of the participation, cohort or
            # programme beyond the two names (their rows are wide and grow with data).
            found = (
                Certificate.objects.filter(code=form.cleaned_data["code"])
                .select_related("participation__cohort__programme")
                .only(
                    "code",
                    "holder_name",
                    "issued_at",
                    "superseded_at",
                    "participation__cohort__title",
                    "participation__cohort__programme__name",
                )
                .first()
            )
    response = render_form(
        request,
        "companion/certificate_verify.html",
        {
            "form": form,
            "found": found,
            "checked": form.is_bound and form.is_valid(),
            "limited": limited,
        },
        form=form,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    if limited:
        response.status_code = 429
    return response
