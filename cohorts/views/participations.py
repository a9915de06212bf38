"""A cohort's people for the programme office (list, add, detail, edit, import with
its preview, export, held invitations); partner contacts read their organisation's
people. Someone else's cohort answers 404 (`cohorts_for` scopes it), a signed-in person
without the role 403."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cohorts import figures, import_preview, selectors, services
from cohorts.forms import (
    ImportConfirmForm,
    ImportForm,
    ParticipationAddForm,
    ParticipationEditForm,
    ParticipationStateForm,
)
from cohorts.models import Participation
from cohorts.services import exports, imports
from cohorts.views._shared import OFFICE, PARTNER, apply_errors, office_cohort
from cohorts.views.rows import (
    import_preview_rows,
    partner_office_sections,
    partner_people_rows,
)
from pioneer import compiled, fragments, jobs
from pioneer.models import Job, User
from pioneer.paging import CountedRows
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.selectors import organisations_for_office
from pioneer.services import notification_preview

PAGE_SIZE = 50


@role_required(OFFICE)
def participation_add(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    form = ParticipationAddForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations_for_office(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.participation_add(
                cohort=cohort, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if participation.invitation_queued:
                text = _("%(name)s has been added and invited by e-mail.")
            else:
                text = _(
                    "%(name)s has been added. No e-mail was sent: they take part in Pioneer "
                    "already, or were sent an invitation today."
                )
            messages.success(request, text % {"name": participation.user})
            return redirect("cohorts:participation_list", cohort_pk=cohort.pk)
    return render(
        request,
        "cohorts/participation_add.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


def _history(participation):
    return Participation.history.model.objects.filter(id=participation).order_by("-history_date")


def participation_history(participation):
    """The person's page's history: the participation's last 20 records, newest first,
    with who made them (`participation.history`), by SQL compiled once per process
    (pioneer.compiled): the queryset cost 1.3 ms of CPU to build and run, of a page
    of 4 ms (N = 50)."""
    return compiled.objects(
        "cohorts.participation_history",
        _history,
        related=("history_user",),
        limit=20,
        participation=participation.pk,
    )


def _participation(request, cohort_pk, pk):
    cohort = office_cohort(request, cohort_pk)
    participation = selectors.cohort_participation_or_404(cohort, pk)
    return cohort, participation


@role_required(OFFICE)
def participation_detail(request, cohort_pk, pk):
    cohort, participation = _participation(request, cohort_pk, pk)
    form = ParticipationStateForm(
        request.POST if request.method == "POST" else None, participation=participation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_set_state(
                participation=participation,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now “%(state)s”.")
                % {"name": participation.user, "state": participation.get_state_display()},
            )
            return redirect(
                "cohorts:participation_detail", cohort_pk=cohort.pk, pk=participation.pk
            )
    return render(
        request,
        "cohorts/participation_detail.html",
        {
            "cohort": cohort,
            "participation": participation,
            "form": form,
            # The unbound state form is the same for every person in the same state.
            "form_html": fragments.form_html(
                form,
                "cohorts.participation_state",
                tuple(value for value, _label in form.fields["state"].choices),
            ),
            "history": participation_history(participation),
        },
        status=400 if form.errors else 200,
    )


@role_required(OFFICE)
def participation_edit(request, cohort_pk, pk):
    cohort, participation = _participation(request, cohort_pk, pk)
    initial = {name: getattr(participation, name) for name in ParticipationEditForm.base_fields}
    form = ParticipationEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisations=organisations_for_office(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_update(
                participation=participation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("The details of %(name)s are saved.") % {"name": participation.user}
            )
            return redirect(
                "cohorts:participation_detail", cohort_pk=cohort.pk, pk=participation.pk
            )
    return render(
        request,
        "cohorts/participation_edit.html",
        {"cohort": cohort, "participation": participation, "form": form},
        status=400 if form.errors else 200,
    )


def _import_columns():
    return [
        {
            "label": imports.COLUMN_LABELS[key],
            "headings": ", ".join(imports.COLUMNS[key][:3]),
            "required": key in imports.REQUIRED_COLUMNS,
        }
        for key in imports.COLUMNS
    ]


@role_required(OFFICE)
def participation_import(request, cohort_pk):
    """Upload and check; a good file leads to the preview, a bad one is reported here."""
    cohort = office_cohort(request, cohort_pk)
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()
    report = None
    if posted and form.is_valid():
        report, job = imports.participations_import_check(
            cohort=cohort, upload=form.cleaned_data["file"], by=request.user
        )
        if job is not None:
            return redirect(
                "cohorts:participation_import_preview", cohort_pk=cohort.pk, job_id=job.public_id
            )
    failed = bool(form.errors or (report and not report.ok))
    return render(
        request,
        "cohorts/participation_import.html",
        {"cohort": cohort, "form": form, "report": report, "columns": _import_columns()},
        status=400 if failed else 200,
    )


@role_required(OFFICE)
def participation_import_preview(request, cohort_pk, job_id):
    """What the checked file will do; confirming starts the import job. The rows come
    from the job the check stored, never from the browser."""
    cohort = office_cohort(request, cohort_pk)
    read = None
    if request.method != "POST":
        # The job with the counts and one page of its rows, read by PostgreSQL in one
        # query (cohorts.import_preview); None elsewhere: read below as before.
        try:
            read = import_preview.preview_page(
                user=request.user,
                cohort=cohort,
                job_id=job_id,
                number=request.GET.get("page"),
                size=PAGE_SIZE,
            )
        except Job.DoesNotExist:
            raise Http404 from None
    if read is not None:
        job, summary, page = read
        invited = summary.pop("invited")
    else:
        job = scoped_object_or_404(
            jobs.jobs_for(request.user).filter(kind=imports.IMPORT_KIND, object_id=cohort.pk),
            public_id=job_id,
        )
    if job.state != Job.State.AWAITING:  # confirmed already (a double click, the back button)
        return redirect("job_detail", public_id=job.public_id)
    form = ImportConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        jobs.job_confirm(
            job=job,
            by=request.user,
            options={"hold_invitations": form.cleaned_data["hold_invitations"]},
        )
        return redirect("job_detail", public_id=job.public_id)
    if read is None:
        summary = imports.preview(job)
        invited = next((row for row in summary["rows"] if row["invited"]), None)
        # A file of thousands of people: the figures count them all, the table a page at
        # a time.
        page = Paginator(summary.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
    mail = None
    if invited is not None:
        # An unsaved stand-in: the e-mail as this person will read it, in their language.
        person = User(name=invited["name"], email=invited["email"], language=invited["language"])
        subject, text, language = notification_preview(
            kind="account.invitation", target=person, recipient=person
        )
        mail = {"subject": subject, "text": text, "language": language, "person": person}
    return render(
        request,
        "cohorts/participation_import_preview.html",
        {
            "cohort": cohort,
            "job": job,
            "form": form,
            # The unbound form (the page as first shown) is the same for every import.
            "form_html": fragments.form_html(form, "cohorts.import_confirm", ()),
            "mail": mail,
            "page": page,
            "rows": import_preview_rows(page.object_list),
            **summary,
        },
    )


@role_required(OFFICE)
@require_POST
def participation_invite_again(request, cohort_pk, pk):
    """Send a participant who has not taken up the invitation a new one."""
    cohort, participation = _participation(request, cohort_pk, pk)
    try:
        services.participation_invite_again(participation=participation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new invitation to %(email)s has been scheduled.")
            % {"email": participation.user.email},
        )
    return redirect("cohorts:participation_detail", cohort_pk=cohort.pk, pk=participation.pk)


@role_required(OFFICE)
def participation_send_invitations(request, cohort_pk):
    """The held invitations: first a page saying how many e-mails go out, in which
    languages, with each language's e-mail as it will read; sending (a POST with
    `confirmed`) then queues them and says how many were queued."""
    cohort = office_cohort(request, cohort_pk)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            count = imports.participations_send_held_invitations(cohort=cohort, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s invitation is being sent.",
                        "%(count)s invitations are being sent.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(request, _("No invitation was waiting to be sent; none was sent."))
        return redirect("cohorts:participation_list", cohort_pk=cohort.pk)
    summary = selectors.held_invitation_summary(cohort)
    for language in summary["languages"]:
        language["subject"], language["text"] = _invitation_preview(language["sample"])
    return render(
        request,
        "cohorts/participation_send_invitations.html",
        {"cohort": cohort, **summary},
    )


def _invitation_preview(user):
    """The invitation e-mail `user` will get (subject, text), without its secret link."""
    kind = "account.invitation" if not user.has_usable_password() else "account.role_granted"
    subject, text, _language = notification_preview(kind=kind, target=user, recipient=user)
    return subject, text


@role_required(OFFICE)
def participation_export(request, cohort_pk, fmt):
    """CSV streams at once; XLSX is made by a job (POST) whose page offers the file."""
    cohort = office_cohort(request, cohort_pk)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.participants_csv_stream(cohort), content_type=exports.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(cohort, fmt)}"'
        response["Cache-Control"] = "no-store"
        return response
    if fmt != "xlsx":
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = jobs.job_start(kind=exports.EXPORT_KIND, by=request.user, target=cohort)
    return redirect("job_detail", public_id=job.public_id)


@role_required(PARTNER)
def partner_people(request):
    """A partner contact's organisation's people in every cohort (read only)."""
    require("cohorts.view_partner_people", request.user)
    user, number = request.user, request.GET.get("page")
    people = CountedRows(
        lambda offset, limit: selectors.partner_people_page(user, offset, limit),
        lambda: selectors.participations_for_partner(user).count(),
        number,
        PARTNER_PEOPLE_PAGE_SIZE,
    )
    page = Paginator(people, PARTNER_PEOPLE_PAGE_SIZE).get_page(number)
    return render(
        request,
        "cohorts/participation_partner_list.html",
        {"page": page, "rows": partner_people_rows(page.object_list)},
    )


OFFICES_PAGE_SIZE = 20
# A partner's people a page at a time: 25 rows, as the partner's event registrations (at 50
# the rows were most of the page's time for an organisation with hundreds of people).
PARTNER_PEOPLE_PAGE_SIZE = 25


@role_required(PARTNER)
def partner_offices(request):
    """Every programme office that linked the partner contact's organisations, with whom
    to write to there, a page at a time (the home names the first few)."""
    require("cohorts.view_partner_people", request.user)

    def render_page():
        page = Paginator(selectors.partner_office_list(request.user), OFFICES_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        offices = selectors.with_office_emails(page.object_list, request.user)
        return render_to_string(
            "cohorts/partner_offices_page.html",
            {"page": page, "offices": offices, "sections": partner_office_sections(offices)},
            request=request,
        )

    # The page kept rendered per the organisations' state (pioneer.fragments): the
    # offices, their members' addresses and their writing only after a change.
    page_html = fragments.list_page_html(
        request,
        "cohorts.partner_offices",
        selectors.partner_kept_facts(request.user),
        render_page,
        figures.SECONDS,
    )
    return render(
        request,
        "cohorts/partner_offices.html",
        {"page_html": page_html, "office_email": settings.PROGRAMME_OFFICE_EMAIL},
    )
