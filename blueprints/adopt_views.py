"""Views of "adopt this programme": the programme office of another organisation starts
its own programme and first cohort from a programme and its blueprints. A form (the new
programme's name and settings, offered as the source's), a check page saying what will
be copied, and the record of the adoption that leads to the new programme.

Only programme offices adopt, into their own organisation, and never their own
organisation's programme (that one continues with "next cohort"); a programme without
blueprints the person may read answers 404 like one that does not exist.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from blueprints import selectors, services
from blueprints.forms import AdoptionForm
from pioneer import fragments
from pioneer.models import Role
from pioneer.permissions import role_required

OFFICE = Role.Kind.PROGRAMME_OFFICE
# Fields of the programme and cohort services that the form names differently.
FIELD_NAMES = {"title": "cohort_title", "slug": "name", "end_date": "start_date"}


def suggested_start(today=None):
    """The first of a month about three months ahead: time to recruit."""
    day = (today or timezone.localdate()) + timedelta(days=92)
    return day.replace(day=1)


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            field = FIELD_NAMES.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@role_required(OFFICE)
def adopt(request, slug):
    """The form; a valid one shows the check page; the check page's confirmation adopts."""
    # The source, the office's organisations and the source's blueprints: their SQL kept.
    source = selectors.adoptable_programme_or_404(request.user, slug)
    organisations = selectors.office_organisation_list(request.user)
    blueprints = selectors.programme_blueprint_list(request.user, source)
    initial = AdoptionForm.initial_for(source, suggested_start())
    form = AdoptionForm(request.POST or None, organisations=organisations, initial=initial)
    context = {
        "source": source,
        "blueprints": blueprints,
        "form": form,
        "form_html": fragments.form_html(
            form, "adopt", (sorted(initial.items()), [(o.pk, o.name) for o in organisations])
        ),
    }
    if request.method != "POST" or not form.is_valid() or request.POST.get("edit") == "1":
        # "Change the entries" from the check page comes back here with what was entered.
        status = 400 if form.errors else 200
        return render(request, "blueprints/adopt/adopt_form.html", context, status=status)
    arguments = form.service_arguments()
    try:
        if request.POST.get("confirmed") == "1":
            adoption = services.programme_adopt(source=source, by=request.user, **arguments)
            messages.success(
                request,
                _("Your programme “%(name)s” has been created with its first cohort as a draft.")
                % {"name": adoption.programme.name},
            )
            return redirect("blueprints:adoption", pk=adoption.pk)
        plan = services.adoption_plan(
            source=source,
            start_date=arguments["start_date"],
            cohort_months=arguments["default_cohort_months"],
            by=request.user,
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return render(request, "blueprints/adopt/adopt_form.html", context, status=400)
    context.update({"plan": plan, "arguments": arguments})
    return render(request, "blueprints/adopt/adopt_check.html", context)


@role_required(OFFICE)
def adoption_detail(request, pk):
    """The record of an adoption, for the adopting organisation's office: what was made
    and from what, leading to the new programme."""
    # What the record shows of each related row (not the adopter's whole user row, nor
    # the programmes' and cohort's descriptions); its SQL kept, as the list's.
    adoption = selectors.adoption_or_404(request.user, pk)
    return render(
        request,
        "blueprints/adopt/adoption_detail.html",
        {
            "adoption": adoption,
            # Those still readable: a blueprint withdrawn since is not named any more.
            "blueprints": selectors.adoption_blueprints(request.user, adoption),
        },
    )
