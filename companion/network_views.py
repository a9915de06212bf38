"""Pages of the network of pioneers (see companion.network for who may read what).

Signed-in people only. Someone who takes or took part in a programme's cohort may join
(and then reads the entries of that programme); anyone else gets 403: the programme
office, partner contacts and evaluators do not read the pioneers' own directory.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companion import network
from companion.forms import NetworkEntryForm, NetworkSearchForm
from companion.views import render_form
from pioneer.forms import apply_errors

# A page of the directory: the search narrows it, the rest is a click on "next".
PAGE_SIZE = 50


def _eligible(request):
    programmes = network.eligible_programme_list(request.user)
    if not programmes:
        raise PermissionDenied
    return programmes


@login_required
def directory(request):
    programmes = _eligible(request)
    own = network.own_entry_list(request.user)
    search = NetworkSearchForm(request.GET)
    search.is_valid()
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    topic = search.cleaned_data.get("topic", "") if search.is_valid() else ""
    entries = network.directory_page(request.user, q=q, topic=topic, limit=PAGE_SIZE + 1)
    return render(
        request,
        "companion/network.html",
        {
            "own": own,
            "programmes": programmes,
            "may_join_more": len(own) < len(programmes),
            "entries": entries[:PAGE_SIZE],
            "more": len(entries) > PAGE_SIZE,
            "search": search,
            "q": q,
            "topic": topic,
        },
    )


@login_required
def join(request):
    """Join (or change one's entry in) a programme's network."""
    programmes = _eligible(request)
    own = {entry.programme_id: entry for entry in network.own_entries(request.user)}
    if request.method == "POST":
        form = NetworkEntryForm(request.POST, programmes=programmes)
        if form.is_valid():
            data = form.cleaned_data
            programme = next(p for p in programmes if p.pk == data["programme"])
            try:
                network.network_join(
                    user=request.user,
                    programme=programme,
                    organisation=data["organisation"],
                    topics=data["topics"],
                    can_help_with=data["can_help_with"],
                    contact=data["contact"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Your entry is in the network."))
                return redirect("companion:network")
    else:
        entry = next(iter(own.values()), None)
        initial = {"programme": programmes[0].pk, "contact": request.user.email}
        organisation = (
            request.user.participations.select_related("organisation")
            .order_by("-created_at")
            .first()
        )
        if organisation is not None:
            initial["organisation"] = organisation.organisation.name
        if entry is not None:
            initial = {
                "programme": entry.programme_id,
                "organisation": entry.organisation,
                "topics": entry.topics,
                "can_help_with": entry.can_help_with,
                "contact": entry.contact,
            }
        form = NetworkEntryForm(initial=initial, programmes=programmes)
    return render_form(
        request, "companion/network_join.html", {"form": form, "joined": bool(own)}, form=form
    )


@login_required
def leave(request):
    """A confirmation, then the entries are deleted at once."""
    _eligible(request)
    own = list(network.own_entries(request.user))
    if request.method == "POST":
        network.network_leave(user=request.user)
        messages.success(request, _("Your entry has been deleted from the network."))
        return redirect("companion:network")
    return render(request, "companion/network_leave.html", {"own": own})
