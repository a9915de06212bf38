"""Views of the blueprints app: the public library (list and detail) and, for the programme
office of the publishing organisation, publish and withdraw. Someone else's unpublished
blueprint answers 404, exactly like one that does not exist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blueprints import selectors, services
from blueprints.forms import BlueprintFilter
from blueprints.rules import publishes
from pioneer.models import Role
from pioneer.permissions import role_required, scoped_object_or_404
from pioneer.rules import roles_of

OFFICE = Role.Kind.PROGRAMME_OFFICE
PAGE_SIZE = 10


def blueprint_list(request):
    form = BlueprintFilter(request.GET or None)
    blueprints = selectors.public_blueprints()
    query = ""
    if form.is_valid() and form.cleaned_data["kind"]:
        blueprints = blueprints.filter(kind=form.cleaned_data["kind"])
        query = urlencode({"kind": form.cleaned_data["kind"]})
    page = Paginator(blueprints, PAGE_SIZE).get_page(request.GET.get("page"))
    unpublished = []
    if roles_of(request.user).has(OFFICE):
        unpublished = list(selectors.unpublished_blueprints_for(request.user)[:20])
    return render(
        request,
        "blueprints/blueprint_list.html",
        {"form": form, "page": page, "query": query, "unpublished": unpublished},
    )


def blueprint_detail(request, slug):
    blueprint = scoped_object_or_404(selectors.visible_blueprints(request.user), slug=slug)
    return render(
        request,
        "blueprints/blueprint_detail.html",
        {"blueprint": blueprint, "can_manage": publishes(request.user, blueprint)},
    )


@role_required(OFFICE)
@require_POST
def blueprint_publish(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    services.blueprint_publish(blueprint=blueprint, by=request.user)
    messages.success(request, _("The blueprint has been published."))
    return redirect("blueprints:detail", slug=blueprint.slug)


@role_required(OFFICE)
@require_POST
def blueprint_withdraw(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    services.blueprint_withdraw(blueprint=blueprint, by=request.user)
    messages.success(request, _("The blueprint has been withdrawn; only your office sees it."))
    return redirect("blueprints:detail", slug=blueprint.slug)
