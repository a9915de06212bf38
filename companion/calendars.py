"""Calendar files (iCalendar, RFC 5545) of events: one `.ics` per event.

Each event has a stable UID (its id and the site's host), a SEQUENCE that rises with
every change people were told about (so a calendar replaces its copy), STATUS:CANCELLED
once it is cancelled, and its times with TZID Europe/Berlin (the VTIMEZONE included).
The online link is written only for people registered (and the office).
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event as VEvent

from pioneer.calendar_feed import calendar_bytes, uid_host

BERLIN = ZoneInfo("Europe/Berlin")


def event_uid(event):
    return f"event-{event.pk}@{uid_host()}"


def location_of(event, with_link):
    parts = []
    if event.has_place:
        parts += [event.venue, event.address.replace("\r\n", ", ").replace("\n", ", ")]
    if event.is_online and with_link and event.online_link:
        parts.append(event.online_link)
    return ", ".join(part for part in parts if part)


def vevent(event, *, with_link, site_url=None):
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    item = VEvent()
    item.add("uid", event_uid(event))
    item.add("sequence", event.sequence)
    item.add("dtstamp", event.updated_at or timezone.now())
    item.add("dtstart", event.starts_at.astimezone(BERLIN))
    item.add("dtend", event.ends_at.astimezone(BERLIN))
    item.add("summary", event.title)
    description = event.description
    page = site_url + reverse("companion:event_detail", kwargs={"pk": event.pk})
    item.add("description", f"{description}\n\n{page}".strip())
    item.add("url", page)
    location = location_of(event, with_link)
    if location:
        item.add("location", location)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return item


def calendar_of(events, *, with_link):
    return calendar_bytes(
        [
            vevent(event, with_link=with_link(event) if callable(with_link) else with_link)
            for event in events
        ],
        prodid="-//Pioneer//Companion programme//DE",
    )


def event_ics(event, *, request=None, with_link=False):
    """The calendar file of one event (bytes)."""
    return calendar_of([event], with_link=with_link)
