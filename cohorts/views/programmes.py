"""Programmes, for the programme office of the organisation that runs them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cohorts import figures, selectors, services
from cohorts.forms import ProgrammeForm
from cohorts.models import Cohort
from cohorts.views._shared import OFFICE, apply_errors, render_form
from cohorts.views.rows import programme_cohort_rows
from pioneer import compiled, fragments
from pioneer.models import Organisation
from pioneer.permissions import require, role_required, scoped_object_or_404

# A programme of many years has many cohorts: the newest first, a page at a time.
PAGE_SIZE = 25


@role_required(OFFICE)
def programme_list(request):
    """The office's programmes with their numbers of cohorts: the table kept rendered
    under cohorts.figures' change token (programmes, cohorts and organisations are what
    it shows), per the office's organisations; the query and the table's loop ran on every
    visit."""

    def table():
        programmes = (
            selectors.programmes_for(request.user)
            .select_related("organisation")
            .annotate(cohort_count=Count("cohorts"))
            .order_by("name")
        )
        return render_to_string("cohorts/programme_list_table.html", {"programmes": programmes})

    organisations = tuple(sorted(selectors.office_organisation_ids(request.user)))
    return render(
        request,
        "cohorts/programme_list.html",
        {
            "table": fragments.cached_html(
                "cohorts.programme_list", (figures.token(), organisations), table, figures.SECONDS
            )
        },
    )


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


# The first pages of a programme's cohorts are read by SQL kept per process and offset.
KEPT_PAGES = 20


def _programme_cohorts(programme):
    return Cohort.objects.filter(programme_id=programme).order_by("-start_date", "-id")


def programme_cohorts_page(programme, number):
    """The page `number` of `selectors.programme_cohorts(programme)` as
    `Paginator(…, PAGE_SIZE).get_page(number)` gives it: its count and (on the first
    KEPT_PAGES pages) its cohorts by SQL kept per process (pioneer.compiled)."""
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = compiled.count(
        "cohorts.programme_cohorts", _programme_cohorts, programme=programme.pk
    )
    page = paginator.get_page(number)
    offset = (page.number - 1) * PAGE_SIZE
    if page.number > KEPT_PAGES:
        page.object_list = list(selectors.programme_cohorts(programme)[offset : offset + PAGE_SIZE])
        return page
    page.object_list = compiled.objects(
        f"cohorts.programme_cohorts.page.{offset}.{PAGE_SIZE}",
        lambda programme: _programme_cohorts(programme)[offset : offset + PAGE_SIZE],
        programme=programme.pk,
    )
    return page


def programme_cohorts_html(request, programme):
    """The page of the programme's cohorts the request asks for, with its pagination:
    kept rendered under cohorts.figures' change token (the cohorts and their numbers of
    registrations), the programme and the page number asked for (fragments.list_page_html)."""

    def render_page():
        page = programme_cohorts_page(programme, request.GET.get("page"))
        page.object_list = selectors.with_registration_counts(page.object_list)
        return render_to_string(
            "cohorts/programme_cohorts.html",
            {
                "programme": programme,
                "cohorts": page,
                "page": page,
                "rows": programme_cohort_rows(programme, page.object_list),
            },
            request=request,
        )

    return fragments.list_page_html(
        request,
        "cohorts.programme_cohorts",
        (figures.token(), programme.pk),
        render_page,
        figures.SECONDS,
    )


@role_required(OFFICE)
def programme_detail(request, slug):
    programme = scoped_object_or_404(
        selectors.programmes_for(request.user).select_related("organisation"), slug=slug
    )
    return render(
        request,
        "cohorts/programme_detail.html",
        {"programme": programme, "cohorts_html": programme_cohorts_html(request, programme)},
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
