"""A person's calendar feed: their own dates at a secret, revocable URL (iCalendar).

The apps answer `pioneer.hooks.personal_dates` (tandems: the hospitation phases and
milestones; companion: the events the person is registered for or waiting for); this
module collects the answers and writes them as one calendar (RFC 5545) with the
`icalendar` library, as `companion.calendars` writes one event's file:

- each date keeps the UID its app gave it, so a calendar program replaces its copy
  instead of adding a second one; an update carries the higher SEQUENCE its app counts;
- times are written in Europe/Berlin with its VTIMEZONE; all-day dates (the phases, the
  milestones) as DATE values, the end being the day after the last day (RFC 5545);
- something cancelled stays in the feed with STATUS:CANCELLED (so calendars remove it
  rather than keep a stale copy), a place on a waiting list is STATUS:TENTATIVE.

The URL's secret is kept only as a hash (as the survey links are): whoever holds the
URL reads the person's own dates and nothing else, without signing in; renewing makes
the old URL answer 404 at once, as revoking does.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from pioneer import hooks
from pioneer.models import CalendarFeedToken

BERLIN = ZoneInfo("Europe/Berlin")
# How often a calendar program should ask again (a hint most of them follow).
REFRESH = timedelta(hours=1)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def uid_host():
    """The host part of every UID the project writes (stable for one installation)."""
    return urlsplit(settings.SITE_URL).hostname or "pioneer"


def feed_url(token):
    """The absolute URL of a feed (shown once, when the token is made)."""
    return settings.SITE_URL.rstrip("/") + reverse("calendar_feed", kwargs={"token": token})


# --- writes ---------------------------------------------------------------------------


def _check_self(user, by):
    # The link opens a person's dates to whoever holds it: only the person decides that.
    if by is None or by.pk != user.pk:
        raise PermissionDenied


@transaction.atomic
def feed_token_make(*, user, by, now=None):
    """Make the person's feed link, or a new one in place of the old (which stops
    working at once). Returns the token: shown once, never stored readable."""
    _check_self(user, by)
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user,
        defaults={"token_hash": token_hash(token), "created_at": now or timezone.now()},
    )
    return token


@transaction.atomic
def feed_token_revoke(*, user, by):
    """Switch the person's feed link off (the URL answers 404 from now on). Returns
    whether there was one."""
    _check_self(user, by)
    deleted, _rows = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


# --- reads ----------------------------------------------------------------------------


def feed_token_of(user):
    """The person's feed link's row (when made), or None (one query)."""
    return CalendarFeedToken.objects.filter(user=user).first()


def feed_owner(token):
    """The active person whose feed `token` opens, or None (one query)."""
    if not token or len(token) > 128:
        return None
    row = (
        CalendarFeedToken.objects.filter(token_hash=token_hash(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return row.user if row else None


def personal_dates(user, *, start=None, end=None, **preloaded):
    """Every app's PersonalDates of `user` (between `start` and `end` when given), in
    time order. The receivers keep to a fixed number of queries each; `preloaded` hands
    them what the caller read already (e.g. tandems' `own_tandems`)."""
    found = hooks.collect(hooks.personal_dates, user=user, start=start, end=end, **preloaded)
    return sorted(found, key=lambda item: (_sort_key(item.start), item.order, item.uid))


def _sort_key(value):
    """Dates and aware datetimes in one order: a date counts from its midnight in Berlin."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=BERLIN)


# --- writing the calendar ------------------------------------------------------------


def _when(value):
    if isinstance(value, datetime):
        return value.astimezone(BERLIN)
    return value


def vevent(item, *, stamp):
    """One PersonalDate as a VEVENT."""
    event = VEvent()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", _when(item.start))
    end = item.end or item.start
    if isinstance(item.start, datetime):
        if item.end:
            event.add("dtend", _when(end))
    elif isinstance(item.start, date):
        # All-day: iCalendar's end is the day after the last day.
        event.add("dtend", end + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    event.add("summary", item.title)
    description = "\n\n".join(part for part in (item.description, item.url) if part)
    if description:
        event.add("description", description)
    if item.url:
        event.add("url", item.url)
    if item.location:
        event.add("location", item.location)
    if item.cancelled:
        status = "CANCELLED"
    elif item.tentative:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    event.add("status", status)
    return event


def calendar_bytes(components, *, name="", prodid="-//Pioneer//Calendar//DE"):
    """A calendar of VEVENTs with the VTIMEZONEs their times need, as bytes."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Berlin")
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", REFRESH)
    for component in components:
        cal.add_component(component)
    cal.add_missing_timezones()
    if name and not cal.timezones:
        # A feed of all-day dates only still names its zone (X-WR-TIMEZONE): programs
        # that read the zone's rules from the calendar find them.
        cal.add_component(Timezone.from_tzid("Europe/Berlin"))
    return cal.to_ical()


def feed_ics(user, *, name, now=None):
    """The person's calendar (bytes): their own dates from every app."""
    stamp = now or timezone.now()
    return calendar_bytes(
        [vevent(item, stamp=stamp) for item in personal_dates(user)],
        name=name,
        prodid="-//Pioneer//Personal calendar//DE",
    )
