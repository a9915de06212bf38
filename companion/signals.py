"""The companion app's receivers of the cohorts app's and the core's plug-in points: the
cohort page's events tab, dashboard figures, attention and dates, the copy of the event
plan into the next cohort, a participant's "your next events" on their home, a partner
contact's people's registrations, and the navigation. Imported once from ready()."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts import hooks as cohort_hooks
from cohorts.hooks import Attention, Figure, FigureRow, RecordLine, Tab, UpcomingDate
from cohorts.selectors import url_or_blank
from companion import calendars, selectors, services
from companion.models import Certificate, Event, EventRegistration
from companion.rows import event_cards, partner_home_items
from pioneer import compiled, hooks
from pioneer.hooks import NavItem, Panel, PersonalDate
from pioneer.models import Role

Reg = EventRegistration
# The dashboard names this many coming events among the cohort's dates.
UPCOMING_EVENTS = 5


@receiver(cohort_hooks.cohort_tabs, dispatch_uid="companion.tab")
def events_tab(sender, cohort, request, **kwargs):
    return Tab("events", gettext_lazy("Events"), "companion:planner", order=40)


def _planner_url(cohort, **query):
    # Reversed once per process and cohort (the overview's figures link it six times).
    url = url_or_blank("companion:planner", cohort_pk=cohort.pk)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _cohort_events(cohort):
    """The cohort's events with their counts, read once for the figures, the attention
    items and the dates of one overview (one query, kept on the cohort object)."""
    cached = getattr(cohort, "_companion_events", None)
    if cached is None:
        cached = compiled.values("companion.cohort_events", _events_with_counts, cohort=cohort.pk)
        cohort._companion_events = cached
    return cached


def _events_with_counts(cohort):
    return (
        Event.objects.filter(cohort_id=cohort)
        .annotate(
            registered=Count("registrations", filter=Q(registrations__state=Reg.State.REGISTERED)),
            waiting=Count("registrations", filter=Q(registrations__state=Reg.State.WAITING)),
            attended=Count(
                "registrations", filter=Q(registrations__attendance=Reg.Attendance.ATTENDED)
            ),
            unrecorded=Count(
                "registrations",
                filter=Q(
                    registrations__state=Reg.State.REGISTERED,
                    registrations__attendance=Reg.Attendance.UNKNOWN,
                ),
            ),
        )
        .values("pk", "title", "state", "starts_at", "ends_at", *COUNTS)
        .order_by("starts_at", "pk")
    )


COUNTS = ("registered", "waiting", "attended", "unrecorded")


def _planned(rows):
    return [row for row in rows if row["state"] == Event.State.PLANNED]


@receiver(cohort_hooks.dashboard_figures, dispatch_uid="companion.figures")
def figures(sender, cohort, **kwargs):
    rows = _cohort_events(cohort)
    planned = _planned(rows)
    now = timezone.now()
    url = _planner_url(cohort)
    return [
        Figure(
            "companion.events",
            _("Events"),
            [
                FigureRow(_("Coming"), sum(1 for r in planned if r["ends_at"] > now), url),
                FigureRow(_("Held"), sum(1 for r in planned if r["ends_at"] <= now), url),
                FigureRow(_("Cancelled"), len(rows) - len(planned), url),
            ],
            url=url,
            order=40,
        ),
        Figure(
            "companion.registrations",
            _("Event registrations"),
            [
                FigureRow(_("Registered"), sum(r["registered"] for r in planned), url),
                FigureRow(_("On a waiting list"), sum(r["waiting"] for r in planned), url),
                FigureRow(_("Attended"), sum(r["attended"] for r in rows), url),
            ],
            url=url,
            order=41,
        ),
    ]


@receiver(cohort_hooks.dashboard_attention, dispatch_uid="companion.attention")
def attention(sender, cohort, **kwargs):
    """Full events with people waiting, and events over without attendance recorded."""
    now = timezone.now()
    planned = _planned(_cohort_events(cohort))
    full = sum(1 for r in planned if r["waiting"] and r["ends_at"] > now)
    unrecorded = sum(1 for r in planned if r["unrecorded"] and r["ends_at"] <= now)
    items = []
    if full:
        items.append(
            Attention(
                "companion.waiting",
                _("Full events with people on the waiting list"),
                full,
                _planner_url(cohort, show="waiting"),
                "info",
            )
        )
    if unrecorded:
        items.append(
            Attention(
                "companion.unrecorded",
                _("Events that are over without attendance recorded"),
                unrecorded,
                _planner_url(cohort, show="unrecorded"),
            )
        )
    return items


@receiver(cohort_hooks.dashboard_dates, dispatch_uid="companion.dates")
def dates(sender, cohort, **kwargs):
    now = timezone.now()
    coming = [r for r in _planned(_cohort_events(cohort)) if r["starts_at"] >= now]
    return [
        UpcomingDate(
            timezone.localdate(row["starts_at"]),
            row["title"],
            reverse("companion:event_detail", kwargs={"pk": row["pk"]}),
        )
        for row in coming[:UPCOMING_EVENTS]
    ]


@receiver(cohort_hooks.cohort_copied, dispatch_uid="companion.copy")
def copy_plan(sender, source, target, shift, by, adopted=False, **kwargs):
    services.events_copy(source=source, target=target, shift=shift, by=by, adopted=adopted)


@receiver(cohort_hooks.participation_record, dispatch_uid="companion.record")
def attended_events(sender, participation, **kwargs):
    """The events the person actually attended (checked in), for their certificate: not
    those they registered for and missed, nor cancelled events (one query)."""
    kinds = dict(Event.Kind.choices)
    rows = (
        Reg.objects.filter(
            participation=participation,
            state=Reg.State.REGISTERED,
            attendance=Reg.Attendance.ATTENDED,
            event__state=Event.State.PLANNED,
        )
        .order_by("event__starts_at", "event_id")
        .values_list("event__title", "event__kind", "event__starts_at", "event__ends_at")
    )
    return [
        RecordLine(
            "events",
            title,
            start=timezone.localdate(starts),
            end=timezone.localdate(ends),
            detail=str(kinds.get(kind, "")),
            order=200,
        )
        for title, kind, starts, ends in rows
    ]


@receiver(cohort_hooks.cohort_tabs, dispatch_uid="companion.certificates_tab")
def certificates_tab(sender, cohort, request, **kwargs):
    return Tab("certificates", gettext_lazy("Certificates"), "companion:certificates", order=45)


@receiver(hooks.home_panels, dispatch_uid="companion.home")
def home_panels(sender, request, roles, **kwargs):
    panels = []
    if roles.has(Role.Kind.PARTICIPANT):
        events = selectors.next_event_cards(request.user)
        panels.append(
            Panel(
                "companion.next_events",
                "companion/panel_next_events.html",
                # Only the cards' columns by SQL kept per process, the cards written in
                # Python (companion.rows.event_cards, as My events writes them).
                {"events": events, "cards": event_cards(events)},
                order=15,
            )
        )
    if roles.has(Role.Kind.PARTNER_CONTACT):
        # The panel names the person and the event only: fewer tables to join made
        # the query's planning a third as long.
        registrations = selectors.partner_registrations_since_rows(
            request.user, timezone.now() - timedelta(days=1), 10
        )
        panels.append(
            Panel(
                "companion.partner_registrations",
                "companion/panel_partner_registrations.html",
                {"registrations": registrations, "items": partner_home_items(registrations)},
                order=23,
            )
        )
    return panels


@receiver(hooks.navigation, dispatch_uid="companion.navigation")
def navigation(sender, request, roles, **kwargs):
    items = []
    if roles.has(Role.Kind.PARTICIPANT):
        items.append(NavItem("companion:my_events", gettext_lazy("Events"), order=200))
        items.append(NavItem("companion:network", gettext_lazy("Network"), order=205))
        items.append(NavItem("companion:my_certificates", gettext_lazy("Certificates"), order=206))
    if roles.has(Role.Kind.PARTNER_CONTACT):
        items.append(
            NavItem(
                "companion:partner_registrations",
                gettext_lazy("Our event registrations"),
                order=210,
            )
        )
    return items


@receiver(cohort_hooks.event_audiences, dispatch_uid="companion.event_audiences")
def event_audiences(sender, cohort, **kwargs):
    """The attendees of each event of the cohort that has begun and was not cancelled:
    those registered and not marked absent (where attendance was recorded, those who
    came). One query for the list; the people are a subquery each."""
    events = Event.objects.filter(
        cohort=cohort, state=Event.State.PLANNED, starts_at__lte=timezone.now()
    ).order_by("-starts_at", "pk")
    audiences = []
    for event in events.only("pk", "title", "starts_at"):
        attendees = (
            Reg.objects.filter(event=event, state=Reg.State.REGISTERED)
            .exclude(attendance=Reg.Attendance.NO_SHOW)
            .values("participation_id")
        )
        label = _("Attendees of %(title)s (%(day)s)") % {
            "title": event.title,
            "day": date_format(timezone.localtime(event.starts_at), "SHORT_DATE_FORMAT"),
        }
        audiences.append(
            cohort_hooks.Audience(f"event:{event.pk}", label, participations=attendees)
        )
    return audiences


@receiver(hooks.personal_dates, dispatch_uid="companion.personal_dates")
def personal_dates(sender, user, start=None, end=None, **kwargs):
    """The events the person is registered for, and those they wait for (tentative,
    named as such, without the online link), cancelled ones marked cancelled; the
    same UID and SEQUENCE as the event's own calendar file (one query). A registration
    the person cancelled is left out: a subscribed calendar drops it on its next read."""
    site = settings.SITE_URL.rstrip("/")
    dates = []
    for registration in selectors.dated_registrations(user, start=start, end=end):
        event = registration.event
        waiting = registration.state == Reg.State.WAITING
        title = _("Waiting list: %(event)s") % {"event": event.title} if waiting else event.title
        dates.append(
            PersonalDate(
                uid=calendars.event_uid(event),
                title=title,
                start=event.starts_at,
                end=event.ends_at,
                kind="event",
                description=event.description,
                location=calendars.location_of(event, with_link=not waiting),
                url=site + reverse("companion:event_detail", kwargs={"pk": event.pk}),
                sequence=event.sequence,
                cancelled=event.is_cancelled,
                tentative=waiting,
                order=30,
            )
        )
    return dates


# The certificates tab keeps its count of current certificates under cohorts.figures'
# change token: a certificate made (the old one is superseded in the same transaction)
# or deleted replaces it. A partner's list of their people's event registrations is kept
# rendered under it too: an event or a registration saved or deleted replaces it.
def _figures_changed(sender, **kwargs):
    from cohorts import figures

    figures.changed()


for _signal in (post_save, post_delete):
    _signal.connect(
        _figures_changed,
        sender=Certificate,
        dispatch_uid=f"companion.figures.certificate.{_signal is post_save}",
    )
    for _model in (Event, Reg):
        _signal.connect(
            _figures_changed,
            sender=_model,
            dispatch_uid=f"companion.figures.{_model.__name__}.{_signal is post_save}",
        )
