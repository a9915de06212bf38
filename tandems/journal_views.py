"""Views of the learning journal (thin: permission, form, one service call, response).

For participants: their own journal (every entry, private ones included), writing,
changing and deleting an entry (for good, after a confirmation step), the PDF of their
journal (a job only they can start and download), and what their tandem partner shared
with them (read only). For the programme office: a tandem's entries that its two people
shared with the office, nothing else. Someone else's entry answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pioneer import jobs
from pioneer.forms import apply_errors
from pioneer.models import Role
from pioneer.permissions import require, role_required, scoped_object_or_404
from tandems import journal_selectors as selectors
from tandems import journal_services as services
from tandems.journal_export import KIND as PDF_KIND
from tandems.journal_forms import JournalEntryForm
from tandems.models import JournalEntry
from tandems.views import _tandem

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTICIPANT = Role.Kind.PARTICIPANT


def _status(form):
    return 400 if form.errors else 200


@role_required(PARTICIPANT)
def journal(request):
    """The person's own journal: every entry, newest first, with who may read it."""
    require("tandems.keep_journal", request.user)
    participation = selectors.journal_participations(request.user).first()
    return render(
        request,
        "tandems/journal/journal.html",
        {
            "participation": participation,
            "entries": list(selectors.own_entries(request.user)),
            "Visibility": JournalEntry.Visibility,
        },
    )


def _entry_form(request, *, participation, entry=None):
    phases = selectors.phases_of_participation(participation)
    if entry is not None:
        initial = {
            "date": entry.date,
            "phase": entry.phase_id,
            "text": entry.text,
            "visibility": entry.visibility,
        }
    else:
        initial = {"date": timezone.localdate(), "visibility": JournalEntry.Visibility.PRIVATE}
    data = request.POST if request.method == "POST" else None
    return JournalEntryForm(data, initial=initial, phases=phases)


@role_required(PARTICIPANT)
def journal_entry_create(request):
    require("tandems.keep_journal", request.user)
    participation = selectors.journal_participations(request.user).first()
    if participation is None:
        raise Http404
    form = _entry_form(request, participation=participation)
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_entry_create(
                participation=participation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your entry has been saved."))
            return redirect("tandems:journal")
    return render(
        request,
        "tandems/journal/entry_form.html",
        {"form": form, "participation": participation, "entry": None},
        status=_status(form),
    )


def _own_entry(request, pk):
    entry = scoped_object_or_404(selectors.own_entries(request.user), pk=pk)
    require("tandems.change_journal_entry", request.user, entry)
    return entry


@role_required(PARTICIPANT)
def journal_entry_edit(request, pk):
    entry = _own_entry(request, pk)
    form = _entry_form(request, participation=entry.participation, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_entry_update(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your entry has been saved."))
            return redirect("tandems:journal")
    return render(
        request,
        "tandems/journal/entry_form.html",
        {"form": form, "participation": entry.participation, "entry": entry},
        status=_status(form),
    )


@role_required(PARTICIPANT)
def journal_entry_delete(request, pk):
    """The confirmation step, then the entry is deleted for good."""
    entry = _own_entry(request, pk)
    if request.method == "POST":
        services.journal_entry_delete(entry=entry, by=request.user)
        messages.success(request, _("The entry has been deleted for good."))
        return redirect("tandems:journal")
    return render(request, "tandems/journal/entry_delete.html", {"entry": entry})


@role_required(PARTICIPANT)
@require_POST
def journal_export(request):
    """The person's own journal as a PDF, made by a job only they can see."""
    require("tandems.keep_journal", request.user)
    job = jobs.job_start(kind=PDF_KIND, by=request.user)
    return redirect("job_detail", public_id=job.public_id)


@role_required(PARTICIPANT)
def journal_shared(request):
    """What the person's tandem partner shared with them (read only)."""
    require("tandems.keep_journal", request.user)
    return render(
        request,
        "tandems/journal/shared.html",
        {"entries": list(selectors.entries_shared_with_partner(request.user))},
    )


@role_required(OFFICE)
def office_journal(request, cohort_pk, pk):
    """A tandem's entries that its two people shared with the programme office. Private
    entries and those shared with the partner only are not read at all."""
    cohort, tandem = _tandem(request, cohort_pk, pk)
    return render(
        request,
        "tandems/journal/office.html",
        {
            "cohort": cohort,
            "tandem": tandem,
            "entries": list(selectors.entries_shared_with_office(tandem)),
        },
    )
