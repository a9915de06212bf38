"""A person's notifications: the list, reading one, reading all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pioneer import selectors, services
from pioneer.permissions import scoped_object_or_404
from pioneer.row_html import NOTIFICATION_COLUMNS, notification_items


@login_required
def notification_list(request):
    # Only what the cards show, as plain rows (model instances of every column cost as
    # much as writing the cards).
    rows = selectors.notifications_for(request.user).values_list(*NOTIFICATION_COLUMNS, named=True)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "pioneer/notification_list.html",
        {"page": page, "items": notification_items(request, page.object_list)},
    )


@login_required
@require_POST
def notification_read(request, pk):
    notification = scoped_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, {request.get_host()}, request.is_secure()
    ):
        return redirect(notification.link)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")
