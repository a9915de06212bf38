"""The sign-in backend: Django's ModelBackend, reading the signed-in user with their roles
and whether they have an authenticator app in one query per request.

Every signed-in request needs all three (the navigation and every permission ask for the
roles; the second-factor check asks for the authenticator). Read apart, they are three
round trips and three ORM compilations, about a third of a small page's fixed cost. The
join gives one row per role (one row with no role for a person without any), and the
values are put where `pioneer.rules.roles_of` and `has_totp` look first, so neither asks
again for this request's user object.
"""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, F, OuterRef

from pioneer import compiled
from pioneer.rules import role_set


def _user_with_roles(user):
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return (
        get_user_model()
        ._default_manager.filter(pk=user)
        .order_by()  # one person: the model's ordering by name would only add a sort
        .annotate(
            _role_kind=F("roles__kind"),
            _role_organisation=F("roles__organisation_id"),
            _has_totp=Exists(totp),
        )
    )


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        rows = compiled.objects("auth.user_with_roles", _user_with_roles, user=user_id)
        if not rows:
            return None
        user = rows[0]
        if not self.user_can_authenticate(user):
            return None
        user._pioneer_roles = role_set((r._role_kind, r._role_organisation) for r in rows)
        user._pioneer_has_totp = user._has_totp
        return user
