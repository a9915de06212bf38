"""The core's contributions to the home page."""

from django.conf import settings

from pioneer import pages
from pioneer.models import Role, User
from pioneer.rules import has_staff_role, has_totp


def _mfa_panel(request):
    if not has_staff_role(request.user) or has_totp(request.user):
        return None
    return {"required": settings.REQUIRE_STAFF_MFA}


def _office_panel(request):
    from pioneer.rules import roles_of

    orgs = roles_of(request.user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    # Invited people of the office's organisations who have not set a password yet.
    pending = (
        User.objects.filter(roles__organisation_id__in=orgs, last_login__isnull=True)
        .filter(password__startswith="!")  # Django's mark of an unusable password
        .values("pk")
        .distinct()
        .count()
    )
    return {"pending": pending}


pages.register_home_panel(
    "core.mfa", template="pioneer/panel_mfa.html", provider=_mfa_panel, order=1
)
pages.register_home_panel(
    "core.office",
    template="pioneer/panel_office_invite.html",
    provider=_office_panel,
    roles=[Role.Kind.PROGRAMME_OFFICE],
    order=90,
)
