"""Navigation that fits the roles the user holds (one cached query for the roles)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pioneer.models import Role
from pioneer.rules import roles_of

# (role or None for everyone signed in, url name, label). Later apps extend NAVIGATION.
NAVIGATION = [
    (None, "home", _("My overview")),
    (Role.Kind.PROGRAMME_OFFICE, "invite", _("Invite people")),
    (Role.Kind.PROGRAMME_OFFICE, "organisation_list", _("Organisations")),
    (None, "notifications", _("Notifications")),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": roles_of(None)}
    roles = roles_of(user)
    items = []
    path = request.path
    for role, url_name, label in NAVIGATION:
        if role is None or roles.has(role):
            url = reverse(url_name)
            current = path == url or (url != "/" and path.startswith(url) and url_name != "home")
            items.append({"url": url, "label": label, "current": current})
    return {"nav_items": items, "user_roles": roles}
