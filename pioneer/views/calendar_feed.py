"""The personal calendar feed: the page where a person makes, renews or switches off
their feed link, and the feed itself (no session: the secret in the URL is the key)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pioneer import calendar_feed

# The new link is shown once, on the page the POST leads to, and then forgotten.
SESSION_KEY = "pioneer.calendar_feed_url"


@login_required
def feed_settings(request):
    return render(
        request,
        "pioneer/calendar_feed.html",
        {
            "token": calendar_feed.feed_token_of(request.user),
            "new_url": request.session.pop(SESSION_KEY, ""),
        },
    )


@login_required
@require_POST
def feed_make(request):
    renewing = calendar_feed.feed_token_of(request.user) is not None
    token = calendar_feed.feed_token_make(user=request.user, by=request.user)
    request.session[SESSION_KEY] = calendar_feed.feed_url(token)
    messages.success(
        request,
        _("Your new calendar link is ready; the old one no longer works.")
        if renewing
        else _("Your calendar link is ready."),
    )
    return redirect("calendar_feed_settings")


@login_required
@require_POST
def feed_revoke(request):
    if calendar_feed.feed_token_revoke(user=request.user, by=request.user):
        messages.success(request, _("Your calendar link is switched off; it no longer works."))
    return redirect("calendar_feed_settings")


@require_GET
@never_cache
def feed(request, token):
    """The feed (text/calendar) of the person whose link this is; anything else 404."""
    user = calendar_feed.feed_owner(token)
    if user is None:
        raise Http404
    with translation.override(user.language):
        body = calendar_feed.feed_ics(user, name=_("Pioneer: %(name)s") % {"name": user})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pioneer.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
