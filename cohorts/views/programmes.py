"""Programmes, for the programme office of the organisation that runs them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cohorts import selectors, services
from cohorts.forms import ProgrammeForm
from cohorts.views._shared import OFFICE, apply_errors, render_form
from cohorts.views.rows import programme_cohort_rows
from pioneer.models import Organisation
from pioneer.permissions import require, role_required, scoped_object_or_404

# A programme of many years has many cohorts: the newest first, a page at a time.
PAGE_SIZE = 25


@role_required(OFFICE)
def programme_list(request):
    programmes = (
        selectors.programmes_for(request.user)
        .select_related("organisation")
        .annotate(cohort_count=Count("cohorts"))
        .order_by("name")
    )
    return render(request, "cohorts/programme_list.html", {"programmes": programmes})


@role_required(OFFICE)
def programme_create(request):
    require("cohorts.add_programme", request.user)
    organisations = list(
        Organisation.objects.filter(pk__in=selectors.office_organisation_ids(request.user))
    )
    form = ProgrammeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            programme = services.programme_create(
                organisation=form.organisation(), by=request.user, **data
            )
        except ValidationError as error:  # a twin request took the short name meanwhile
            apply_errors(form, error)
        else:
            messages.success(request, _("The programme has been created."))
            return redirect("cohorts:programme_detail", slug=programme.slug)
    return render_form(request, "cohorts/programme_form.html", {"form": form}, form)


@role_required(OFFICE)
def programme_detail(request, slug):
    programme = scoped_object_or_404(
        selectors.programmes_for(request.user).select_related("organisation"), slug=slug
    )
    page = Paginator(selectors.programme_cohorts(programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_registration_counts(page.object_list)
    return render(
        request,
        "cohorts/programme_detail.html",
        {
            "programme": programme,
            "cohorts": page,
            "page": page,
            "rows": programme_cohort_rows(programme, page.object_list),
        },
    )


@role_required(OFFICE)
def programme_update(request, slug):
    programme = scoped_object_or_404(selectors.programmes_for(request.user), slug=slug)
    require("cohorts.change_programme", request.user, programme)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("cohorts:programme_detail", slug=programme.slug)
    return render_form(
        request, "cohorts/programme_form.html", {"form": form, "programme": programme}, form
    )
