"""The admin site: Django's, with its list of apps built once per request.

Django's AdminSite builds the list of apps and models the user may see twice on the index
page: once for the context of every admin page (the navigation sidebar's `available_apps`)
and once more for the index itself. Each build reverses three URLs per model and sorts by
translated names; the second build gives the same answer for the same request.
"""

from django.contrib.admin import AdminSite


class PioneerAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        built = request.__dict__.setdefault("_pioneer_admin_app_list", {})
        if app_label not in built:
            built[app_label] = super().get_app_list(request, app_label)
        return built[app_label]
