"""The programme office's organisation pages: the organisations it may act for (its
own, their subordinate authorities, the partners it linked), adding and editing them,
and their partner contacts.

Permission, form, one service call, response. An organisation the office may not act
for answers 404 (`organisations_for_office` scopes it); a signed-in person without the
office role 403.
"""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pioneer import compiled, fragments, selectors, services
from pioneer.forms import ContactInviteForm, LinkForm, OrganisationForm, apply_errors
from pioneer.models import Organisation, PartnerLink, Role
from pioneer.permissions import require, role_required
from pioneer.row_html import esc, join, labels, number, url_maker
from pioneer.rules import roles_of

OFFICE = Role.Kind.PROGRAMME_OFFICE
# An office that works with hundreds of partners sees them a page at a time.
PAGE_SIZE = 50


def _own_ministries(user):
    return selectors.office_organisations(user).filter(kind=Organisation.Kind.MINISTRY)


def _organisation(request, pk, perm="pioneer.view_organisation"):
    organisation = _acting_for_or_404(request.user, pk)
    # The scope decides what is seen (404 above); the rule what may be done.
    require(perm, request.user, organisation)
    return organisation


def _acting_for(pk, **offices):
    # `organisations_for_office(user).filter(pk=pk)` with the office's organisations.
    ids = list(offices.values())
    linked = PartnerLink.objects.filter(office_organisation_id__in=ids).values("partner_id")
    return Organisation.objects.filter(
        Q(pk__in=ids) | Q(kind=Organisation.Kind.AUTHORITY, parent_id__in=ids) | Q(pk__in=linked)
    ).filter(pk=pk)


def _acting_for_or_404(user, pk):
    """The organisation `pk` with its parent if the user's office may act for it (what
    `scoped_object_or_404(organisations_for_office(user).select_related("parent"), pk=pk)`
    gives), else Http404: by SQL kept per process and number of the office's
    organisations (pioneer.compiled). Found so, the office may act for it: the rule
    `may_act_for` is told (it asked the same scope again, one query)."""
    offices = roles_of(user).organisation_ids(OFFICE)
    if not offices:
        raise Http404
    organisation = compiled.one_or_404(
        f"pioneer.acting_for.{len(offices)}",
        _acting_for,
        related=("parent",),
        pk=pk,
        **{f"office{index}": office for index, office in enumerate(offices)},
    )
    acting = getattr(user, "_pioneer_acting", None)
    if acting is None:
        acting = user._pioneer_acting = {}
    acting[organisation.pk] = True
    return organisation


def _partner_contacts(organisation):
    return (
        Role.objects.filter(kind=Role.Kind.PARTNER_CONTACT, organisation=organisation)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def partner_contacts(organisation):
    """The users who are partner contacts of `organisation`, by name (what
    `selectors.partner_contacts_of([pk])` gives it), by SQL kept per process."""
    return [
        role.user
        for role in compiled.objects(
            "pioneer.partner_contacts",
            _partner_contacts,
            related=("user",),
            organisation=organisation,
        )
    ]


# The list's first pages are read by SQL kept per process and offset; later ones as before.
KEPT_PAGES = 20


def _office_organisations(**offices):
    # `organisations_for_office(user)` with the office's organisations (by name).
    ids = list(offices.values())
    linked = PartnerLink.objects.filter(office_organisation_id__in=ids).values("partner_id")
    return Organisation.objects.filter(
        Q(pk__in=ids) | Q(kind=Organisation.Kind.AUTHORITY, parent_id__in=ids) | Q(pk__in=linked)
    ).order_by("name")


def _with_contact_counts(queryset):
    # As `selectors.organisations_with_contact_counts` annotates the office's scope.
    contacts = (
        Role.objects.filter(kind=Role.Kind.PARTNER_CONTACT, organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.select_related("parent").annotate(
        contact_count=Coalesce(Subquery(contacts, output_field=IntegerField()), 0)
    )


def organisation_page(user, number):
    """The page `number` of `organisations_with_contact_counts(user)` as
    `Paginator(…, PAGE_SIZE).get_page(number)` gives it: its count and (on the first
    KEPT_PAGES pages) its rows by SQL kept per process and number of the office's
    organisations (pioneer.compiled), instead of the annotated queryset built and
    compiled on every visit."""
    offices = roles_of(user).organisation_ids(OFFICE)
    if not offices:
        return Paginator(Organisation.objects.none(), PAGE_SIZE).get_page(number)
    ids = {f"office{index}": office for index, office in enumerate(offices)}
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = compiled.count(
        f"pioneer.office_organisations.{len(offices)}", _office_organisations, **ids
    )
    page = paginator.get_page(number)
    offset = (page.number - 1) * PAGE_SIZE
    if page.number > KEPT_PAGES:
        page.object_list = list(
            selectors.organisations_with_contact_counts(user)[offset : offset + PAGE_SIZE]
        )
        return page

    def build(**offices):
        return _with_contact_counts(_office_organisations(**offices))[offset : offset + PAGE_SIZE]

    page.object_list = compiled.objects(
        f"pioneer.office_organisations.{len(offices)}.page.{offset}.{PAGE_SIZE}",
        build,
        related=("parent",),
        **ids,
    )
    return page


_ORGANISATION_ROW = (
    '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
    '<a class="kern-link" href="{}">{}</a></th>'
    '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{}</td></tr>'
)


def organisation_list_rows(organisations):
    """`pioneer.row_html.organisation_rows` with str.format and each value escaped (what
    format_html did per row, at a third of the cost: 50 rows a page)."""
    detail = url_maker("organisation_detail")
    kinds = labels(Organisation.Kind.choices)
    return join(
        _ORGANISATION_ROW.format(
            esc(detail(org.pk)),
            esc(org.name),
            esc(kinds.get(org.kind) or org.kind),
            esc(org.parent or "–"),
            esc(number(org.contact_count)),
        )
        for org in organisations
    )


@role_required(OFFICE)
def organisation_list(request):
    require("pioneer.manage_organisations", request.user)
    page = organisation_page(request.user, request.GET.get("page"))
    return render(
        request,
        "pioneer/organisation_list.html",
        {"organisations": page, "page": page, "rows": organisation_list_rows(page.object_list)},
    )


@role_required(OFFICE)
def organisation_create(request):
    """Add an organisation. When existing ones resemble the name, the office is shown
    them (with their partner contacts) and chooses: link to one of them, or create a new
    one (not when it is the same name and kind: that is the same organisation)."""
    require("pioneer.manage_organisations", request.user)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        own_ministries=_own_ministries(request.user),
    )
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        acting = set(selectors.organisations_for_office(request.user).values_list("pk", flat=True))
        candidates = [
            org for org in selectors.organisations_resembling(data["name"]) if org.pk not in acting
        ]
        duplicate = selectors.is_duplicate(data["name"], data["kind"], candidates)
        if candidates and (duplicate or not request.POST.get("create_anyway")):
            context.update(candidates=candidates, duplicate=duplicate)
            return render(request, "pioneer/organisation_form.html", context)
        try:
            organisation = services.organisation_create(by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been added to your organisations.") % {"name": organisation},
            )
            return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request,
        "pioneer/organisation_form.html",
        context,
        status=400 if form.errors else 200,
    )


@role_required(OFFICE)
@require_POST
def organisation_link(request):
    """Link an existing organisation that was offered as resembling the name the office
    typed (the office's explicit decision; no name is ever linked by itself)."""
    require("pioneer.manage_organisations", request.user)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise Http404
    offered = {
        org.pk: org
        for org in selectors.organisations_resembling(form.cleaned_data["name"])
        if not org.is_public_body
    }
    organisation = offered.get(form.cleaned_data["organisation"])
    if organisation is None:
        raise Http404
    for office in selectors.office_organisations(request.user):
        services.partner_link(office_organisation=office, partner=organisation, by=request.user)
    messages.success(
        request,
        _("%(name)s has been linked to your programmes.") % {"name": organisation},
    )
    return redirect("organisation_detail", pk=organisation.pk)


def _detail(request, organisation, contact_form=None):
    contacts = partner_contacts(organisation.pk)
    blank = contact_form is None
    contact_form = contact_form or ContactInviteForm()
    return render(
        request,
        "pioneer/organisation_detail.html",
        {
            "organisation": organisation,
            "can_edit": rules.has_perm("pioneer.change_organisation", request.user, organisation),
            "contacts": contacts,
            "contact_form": contact_form,
            # The blank invitation form is the same on every organisation's page.
            "contact_form_html": (
                fragments.form_html(contact_form, "pioneer.contact_invite", ()) if blank else None
            ),
        },
        status=400 if contact_form is not None and contact_form.errors else 200,
    )


@role_required(OFFICE)
def organisation_detail(request, pk):
    return _detail(request, _organisation(request, pk))


@role_required(OFFICE)
def organisation_update(request, pk):
    organisation = _organisation(request, pk, perm="pioneer.change_organisation")
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        own_ministries=_own_ministries(request.user),
        instance=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request,
        "pioneer/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@role_required(OFFICE)
@require_POST
def organisation_contact_invite(request, pk):
    organisation = _organisation(request, pk)
    form = ContactInviteForm(request.POST)
    if form.is_valid():
        try:
            invited = services.user_invite(
                kind=Role.Kind.PARTNER_CONTACT,
                organisation=organisation,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            text = (
                _("%(email)s has been invited as partner contact of %(organisation)s.")
                if invited.queued
                else _(
                    "%(email)s is partner contact of %(organisation)s; no e-mail was sent "
                    "(they had the role already, or were sent this e-mail today)."
                )
            )
            messages.success(
                request, text % {"email": invited[0].email, "organisation": organisation}
            )
            return redirect("organisation_detail", pk=organisation.pk)
    return _detail(request, organisation, contact_form=form)
