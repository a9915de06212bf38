"""Navigation that fits the roles the user holds (one cached query for the roles); the
items come from the apps' receivers of pioneer.hooks.navigation."""

from pioneer import layout
from pioneer.rules import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": roles_of(None)}
    roles = roles_of(user)
    return {"nav_items": layout.navigation_items(request, roles), "user_roles": roles}
