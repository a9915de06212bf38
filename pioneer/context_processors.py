"""Navigation that fits the roles the user holds (one cached query for the roles); the
items come from the apps' receivers of pioneer.hooks.navigation."""

from django.urls import reverse

from pioneer import hooks
from pioneer.rules import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": roles_of(None)}
    roles = roles_of(user)
    items = []
    path = request.path
    for item in hooks.collect(hooks.navigation, request=request, roles=roles):
        url = reverse(item.url_name)
        current = path == url or (url != "/" and path.startswith(url) and item.url_name != "home")
        items.append({"url": url, "label": item.label, "current": current})
    return {"nav_items": items, "user_roles": roles}
