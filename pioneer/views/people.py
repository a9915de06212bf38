"""Inviting people (the programme office)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pioneer import selectors, services
from pioneer.forms import InviteForm, apply_errors
from pioneer.models import Role
from pioneer.permissions import require, role_required


@role_required(Role.Kind.PROGRAMME_OFFICE)
def invite(request):
    require("pioneer.invite_people", request.user)
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        office_organisations=selectors.office_organisations(request.user),
        acting_organisations=selectors.organisations_for_office(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = services.user_invite(
                email=data["email"],
                name=data["name"],
                language=data["language"],
                kind=data["kind"],
                organisation=data["organisation"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
            return render(request, "pioneer/invite.html", {"form": form}, status=400)
        user, created = invited
        if created:
            message = _("%(email)s has been invited.")
        elif not invited.queued:
            # The messages count only e-mails actually queued.
            message = _(
                "%(email)s already has this role or was sent this e-mail today; no e-mail was sent."
            )
        elif user.has_usable_password():
            # Their password stays as it is; they were told about the role.
            message = _("%(email)s already has an account; the role was added.")
        else:
            message = _("%(email)s had not set a password yet and has been invited again.")
        messages.success(request, message % {"email": user.email})
        return redirect(reverse("invite"))
    return render(
        request, "pioneer/invite.html", {"form": form}, status=400 if form.errors else 200
    )
