"""The companion app's notification kinds (pioneer.notifications registry): reminders
before an event, notices of a change or a cancellation, and the note to a person promoted
from the waiting list. Each is rendered when sent, in the recipient's language, with the
event as it is then."""

from django.urls import reverse

from pioneer import notifications


def _event_link(event):
    return reverse("companion:event_detail", kwargs={"pk": event.pk})


def _registration_context(registration, recipient):
    return {"event": registration.event, "cohort": registration.event.cohort}


def _change_context(change, recipient):
    return {"event": change.event, "change": change, "fields": change.fields.split(",")}


for key in ("companion.reminder_week", "companion.reminder_day"):
    notifications.register(
        key,
        link=lambda registration: _event_link(registration.event),
        extra_context=_registration_context,
    )
notifications.register(
    "companion.registration_promoted",
    link=lambda registration: _event_link(registration.event),
    extra_context=_registration_context,
)
notifications.register(
    "companion.event_changed",
    link=lambda change: _event_link(change.event),
    extra_context=_change_context,
)
notifications.register(
    "companion.event_cancelled",
    link=_event_link,
    extra_context=lambda event, recipient: {"event": event},
)
