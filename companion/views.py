"""Pages of the companion programme. Thin: the role gate, a scoped lookup (someone
else's event answers 404), the rule for the action, a form, one service call.

- the office: the event planner as a tab of the cohort page (a list and a month view),
  create, edit and cancel (with a confirmation that says how many people will be told),
  series, the attendance list (check-in per person, htmx in place, a plain form without
  JavaScript; printable as a signature list) and the attendance export;
- participants: their cohort's events, register, cancel, the waiting list, a series;
- partner contacts: their people's registrations (a list; the event pages are the
  cohort's, and another organisation's people may be registered for the same event);
- the office and the cohort's participants: an event's page and its calendar file.
"""

import calendar
from datetime import datetime, time, timedelta
from functools import partial

import rules
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import figures
from cohorts import selectors as cohort_selectors
from cohorts.models import Participation
from cohorts.selectors import office_cohort_or_404, participations_of
from companion import calendars, exports, selectors, services
from companion.forms import (
    CancelEventForm,
    EventForm,
    MonthForm,
    OfficeRegisterForm,
    PersonSearchForm,
    SeriesForm,
)
from companion.models import Event, EventRegistration
from companion.rows import (
    AttendanceRows,
    When,
    event_cards,
    month_rows,
    partner_registration_rows,
    places,
    planner_rows,
)
from pioneer import fragments, hooks, jobs
from pioneer.forms import apply_errors
from pioneer.models import Role
from pioneer.paging import CountedRows
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.selectors import organisations_for_office

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTICIPANT = Role.Kind.PARTICIPANT
PARTNER = Role.Kind.PARTNER_CONTACT
Reg = EventRegistration


def render_form(request, template, context, form=None):
    """The page, answering 400 when the form has errors."""
    status = 400 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


def office_cohort(request, cohort_pk):
    """The office's cohort (404 for anyone else's), if it may change it."""
    cohort = office_cohort_or_404(request.user, cohort_pk)
    require("cohorts.change_cohort", request.user, cohort)
    return cohort


def cohort_frame(request, cohort, current):
    """What the cohort page's shared header needs (templates/cohorts/_cohort_header.html)."""
    return {
        "cohort_tabs": cohort_selectors.cohort_tabs(cohort, request, current),
        "status_label": cohort_selectors.status_label(cohort.programme, cohort.state),
    }


def _office_event(request, pk):
    event = selectors.office_event_or_404(request.user, pk)
    require("companion.manage_events", request.user, event)
    return event


# ------------------------------------------------------------------------- the planner


def _month_grid(events, month):
    """Weeks (Monday first) of day cells, each with that day's events."""
    by_day = {}
    for event in events:
        by_day.setdefault(timezone.localdate(event.starts_at), []).append(event)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                {"date": day, "in_month": day.month == month.month, "events": by_day.get(day, [])}
                for day in week
            ]
        )
    return weeks


@role_required(OFFICE)
def planner(request, cohort_pk):
    """The events tab of the cohort page: every event with its places, waiting list and
    attendance (one query), as a list or a month."""
    cohort = office_cohort(request, cohort_pk)
    form = MonthForm(request.GET)
    form.is_valid()
    view = form.cleaned_data.get("view") or "list"
    show = form.cleaned_data.get("show") or ""
    now = timezone.now()
    # Without a filter, every event of the cohort (by SQL compiled once; a month is
    # taken from them here); a filter asks the database.
    events = selectors.cohort_event_list(cohort) if not show else selectors.cohort_events(cohort)
    if show == "waiting":
        events = events.filter(waiting_count__gt=0, ends_at__gt=now, state=Event.State.PLANNED)
    elif show == "unrecorded":
        events = (
            events.filter(ends_at__lte=now, state=Event.State.PLANNED)
            .filter(
                registrations__state=Reg.State.REGISTERED,
                registrations__attendance=Reg.Attendance.UNKNOWN,
            )
            .distinct()
        )
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "view": view,
        "show": show,
        "now": now,
        **cohort_frame(request, cohort, "events"),
    }
    if view == "month":
        month = form.cleaned_data.get("month") or _first_month(cohort, now)
        start = timezone.make_aware(datetime.combine(month, time.min))
        end_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        end = timezone.make_aware(datetime.combine(end_day + timedelta(days=1), time.min))
        if show:
            shown = list(events.filter(starts_at__gte=start, starts_at__lt=end))
        else:
            shown = [event for event in events if start <= event.starts_at < end]
        weeks = _month_grid(shown, month)
        context.update(
            month=month,
            weeks=weeks,
            month_rows=month_rows(weeks),
            previous_month=(month - timedelta(days=1)).replace(day=1),
            next_month=end_day + timedelta(days=1),
            weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        )
    else:
        context["events"] = list(events)
        context["rows"] = planner_rows(context["events"], now)
    return render(request, "companion/planner.html", context)


def _first_month(cohort, now):
    today = timezone.localdate(now)
    return today.replace(day=1)


@role_required(OFFICE)
def event_create(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    form = EventForm(
        request.POST or None,
        cohort=cohort,
        organisations=organisations_for_office(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The event has been planned."))
            return redirect("companion:event_detail", pk=event.pk)
    return render_form(
        request,
        "companion/event_form.html",
        {"form": form, "cohort": cohort, **cohort_frame(request, cohort, "events")},
        form,
    )


@role_required(OFFICE)
def event_update(request, pk):
    event = _office_event(request, pk)
    form = EventForm(
        request.POST or None,
        instance=event,
        cohort=event.cohort,
        organisations=organisations_for_office(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The event has been saved."))
            return redirect("companion:event_detail", pk=event.pk)
    return render_form(
        request,
        "companion/event_form.html",
        {
            "form": form,
            "event": event,
            "cohort": event.cohort,
            **cohort_frame(request, event.cohort, "events"),
        },
        form,
    )


@role_required(OFFICE)
def event_cancel(request, pk):
    """A confirmation step that says how many people will be told, then the cancel."""
    event = _office_event(request, pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = services.event_cancel(
                event=event, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The event has been cancelled; %(count)s people are being told.")
                % {"count": told},
            )
            return redirect("companion:planner", cohort_pk=event.cohort_id)
    return render_form(
        request,
        "companion/event_cancel.html",
        {
            "form": form,
            "event": event,
            "cohort": event.cohort,
            "to_tell": services.people_to_tell_count(event),
        },
        form,
    )


@role_required(OFFICE)
def series_create(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.series_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("The series has been created; choose it when you plan its events.")
            )
            return redirect("companion:planner", cohort_pk=cohort.pk)
    return render_form(
        request,
        "companion/series_form.html",
        {"form": form, "cohort": cohort, **cohort_frame(request, cohort, "events")},
        form,
    )


# ------------------------------------------------------------------------- attendance


# The "register someone" choice offers at most this many people, and a search finds the
# others: a cohort of a thousand made a choice of a thousand options (60 kB and 20 ms of
# rendering on every visit of the attendance list).
ADD_CHOICES = 30


# The search form as it is when the list is opened (no `q`), rendered once per process
# and language: its HTML depends on nothing else (crispy renders it without the request).
_EMPTY_SEARCH = {}


def search_html(request, search):
    """`{{ search|crispy }}` of the attendance list's search form."""
    if "q" in request.GET:
        return as_crispy_form(search)
    language = get_language()
    html = _EMPTY_SEARCH.get(language)
    if html is None:
        html = _EMPTY_SEARCH[language] = as_crispy_form(search)
    return html


def _add_form(request, event, registrations, form=None):
    """The registration form and the search for a person of the cohort (one query): the
    choice offers everyone not registered while they are at most ADD_CHOICES, else the
    people the search `q` finds (the first ADD_CHOICES of them by name)."""
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if not query and form is None:
        # The list as it is opened: the people not registered, read by SQL compiled once
        # (selectors.addable_rows) and named as the form's field names them.
        found = selectors.addable_rows(event, ADD_CHOICES + 1)
        found.sort(key=lambda p: (p.side, p.name.casefold(), p.email.casefold()))
        more = len(found) > ADD_CHOICES
        # The form is not bound here: its queryset would only check a choice sent, and
        # attendance_add checks it against `_addable` itself.
        form = OfficeRegisterForm(participations=Participation.objects.none())
        form.offer_labels(
            []
            if more
            else [
                (p.pk, f"{p.name or p.email} ({p.organisation_short_name or p.organisation})")
                for p in found
            ]
        )
        return _add_context(request, form, search, query, found, more)
    addable = _addable(event, registrations)
    if query:
        found = list(
            addable.filter(
                Q(user__name__icontains=query)
                | Q(user__email__icontains=query)
                | Q(organisation__name__icontains=query)
                | Q(organisation__short_name__icontains=query)
            )[: ADD_CHOICES + 1]
        )
    else:
        # Unordered, so that PostgreSQL stops after a few rows instead of sorting the
        # whole cohort; a short list is put in the queryset's order here.
        found = list(addable.order_by()[: ADD_CHOICES + 1])
        found.sort(key=lambda p: (p.side, p.user.name.casefold(), p.user.email.casefold()))
    form = form or OfficeRegisterForm(participations=addable)
    more = len(found) > ADD_CHOICES
    shown = found[:ADD_CHOICES] if query or not more else []
    # A refused registration shows its form again with the person chosen still offered.
    chosen = form.is_bound and getattr(form, "cleaned_data", {}).get("participation")
    if chosen and chosen not in shown:
        shown = [chosen, *shown]
    form.offer(shown)
    return _add_context(request, form, search, query, found, more)


def _add_context(request, form, search, query, found, more):
    return {
        "add_form": form,
        "add_search": search,
        "add_search_html": partial(search_html, request, search),
        "add_query": query,
        "add_found": bool(found),
        "add_more": more,
        "add_limit": ADD_CHOICES,
    }


def _attendance_context(request, event, form=None):
    registrations = selectors.attendance_rows(event)
    registered = [r for r in registrations if r.state == Reg.State.REGISTERED]
    waiting = [r for r in registrations if r.state == Reg.State.WAITING]
    started = timezone.now() >= event.starts_at
    rows = AttendanceRows(request, event, started)
    return {
        "event": event,
        "cohort": event.cohort,
        # `{% include "companion/_when.html" %}`, written in Python.
        "when": When()(event),
        "registered": registered,
        "waiting": waiting,
        "rows": {
            "checkins": rows.checkins(registered),
            "waiting": rows.waiting(waiting),
            "signatures": rows.signatures(registered),
        },
        "attended": sum(1 for r in registered if r.attendance == Reg.Attendance.ATTENDED),
        "no_shows": sum(1 for r in registered if r.attendance == Reg.Attendance.NO_SHOW),
        "started": started,
        "now": timezone.now(),
        **_add_form(request, event, registrations, form),
    }


def _addable(event, registrations):
    taken = {r.participation_id for r in registrations}
    return participations_of(event.cohort).exclude(pk__in=taken).exclude(state="withdrawn")


@role_required(OFFICE)
def attendance(request, pk):
    """The attendance list: works on a phone, prints as a signature list."""
    event = _office_event(request, pk)
    return render(request, "companion/attendance.html", _attendance_context(request, event))


ATTENDANCE_ACTIONS = {
    "check_in": services.attendance_check_in,
    "no_show": services.attendance_mark_no_show,
    "reset": services.attendance_reset,
}


@role_required(OFFICE)
@require_POST
def attendance_mark(request, pk, registration_pk):
    """Check one person in (or mark a no-show, or undo): in place with htmx, else back
    to the list."""
    event = _office_event(request, pk)
    registration = scoped_object_or_404(
        Reg.objects.filter(event=event).select_related(
            "event", "participation__user", "participation__organisation"
        ),
        pk=registration_pk,
    )
    action = ATTENDANCE_ACTIONS.get(request.POST.get("action", ""))
    error = ""
    if action is None:
        error = _("Choose what to record.")
    else:
        try:
            action(registration=registration, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if request.htmx:
        return HttpResponse(
            AttendanceRows(request, event, started=True).checkin(
                selectors.attendance_row(registration), error
            ),
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("companion:attendance", pk=event.pk)


@role_required(OFFICE)
@require_POST
def attendance_add(request, pk):
    """The office registers a person of the cohort (a place if free, else waiting)."""
    event = _office_event(request, pk)
    registrations = selectors.attendance_rows(event)
    form = OfficeRegisterForm(request.POST, participations=_addable(event, registrations))
    if form.is_valid():
        try:
            registration = services.registration_create(
                event=event, participation=form.cleaned_data["participation"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if registration.state == Reg.State.WAITING:
                messages.info(request, _("The event is full; the person is on the waiting list."))
            else:
                messages.success(request, _("The person has been registered."))
            return redirect("companion:attendance", pk=event.pk)
    return render(
        request, "companion/attendance.html", _attendance_context(request, event, form), status=400
    )


@role_required(OFFICE)
@require_POST
def attendance_remove(request, pk, registration_pk):
    event = _office_event(request, pk)
    registration = scoped_object_or_404(Reg.objects.filter(event=event), pk=registration_pk)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The person has been removed from the event."))
    return redirect("companion:attendance", pk=event.pk)


@role_required(OFFICE)
def attendance_csv(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    response = StreamingHttpResponse(
        exports.attendance_csv_stream(cohort), content_type=exports.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(cohort, "csv")}"'
    return response


@role_required(OFFICE)
@require_POST
def attendance_xlsx(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    job = jobs.job_start(kind=exports.EXPORT_KIND, by=request.user, target=cohort)
    return redirect("job_detail", public_id=job.public_id)


# ------------------------------------------------------------------------- everyone


def _visible_event(request, pk):
    return scoped_object_or_404(selectors.events_visible_to(request.user), pk=pk)


@role_required(OFFICE, PARTICIPANT)
def event_detail(request, pk):
    user = request.user
    # The counts come with the event (a query less).
    event = selectors.visible_event_or_404(user, pk)
    registration = selectors.registration_of(user, event)
    counts = {"registered_count": event.registered_count, "waiting_count": event.waiting_count}
    is_registered = registration is not None and registration.state == Reg.State.REGISTERED
    return render(
        request,
        "companion/event_detail.html",
        {
            "event": event,
            "cohort": event.cohort,
            # The includes companion/_when.html and _places.html, written in Python.
            "when": When()(event),
            "places": places(event),
            "registration": registration,
            "is_registered": is_registered,
            "waiting_rank": selectors.waiting_rank(registration),
            "may_manage": require_ok("companion.manage_events", user, event),
            "may_register": require_ok("companion.register", user, event),
            "registration_open": event.registration_open(),
            "full": event.capacity is not None and counts["registered_count"] >= event.capacity,
            "may_cancel_now": timezone.now() <= event.may_cancel_until(),
            # The linked blueprints this person may read (one query; none without any).
            "materials": hooks.material_links_for(user, event.materials),
            **counts,
        },
    )


def require_ok(perm, user, obj):
    """The answer of the rule for `perm`, for the template (no exception)."""
    return rules.has_perm(perm, user, obj)


@role_required(OFFICE, PARTICIPANT)
def event_ics(request, pk):
    event = _visible_event(request, pk)
    registration = selectors.registration_of(request.user, event)
    show_link = (
        registration is not None and registration.state == Reg.State.REGISTERED
    ) or require_ok("companion.manage_events", request.user, event)
    response = HttpResponse(
        calendars.event_ics(event, request=request, with_link=show_link),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@role_required(PARTICIPANT)
def my_events(request):
    """A participant's events of all their cohorts: coming first, then those past."""
    now = timezone.now()
    events = selectors.participant_event_cards(request.user)
    coming = [e for e in events if e.ends_at > now]
    past = [e for e in events if e.ends_at <= now]
    return render(
        request,
        "companion/my_events.html",
        {
            "coming": coming,
            "past": past,
            "coming_cards": event_cards(coming),
            "past_cards": event_cards(past),
            "series": selectors.participant_series(request.user),
        },
    )


def _participant_event(request, pk):
    event = scoped_object_or_404(selectors.events_for_participant(request.user), pk=pk)
    require("companion.register", request.user, event)
    return event


@role_required(PARTICIPANT)
@require_POST
def event_register(request, pk):
    event = _participant_event(request, pk)
    participation = selectors.participation_in(request.user, event.cohort_id)
    try:
        registration = services.registration_create(
            event=event, participation=participation, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.state == Reg.State.WAITING:
            messages.info(
                request,
                _(
                    "The event is full: you are on the waiting list. If a place becomes "
                    "free, you move up automatically and we tell you."
                ),
            )
        else:
            messages.success(request, _("You are registered."))
    return redirect("companion:event_detail", pk=event.pk)


@role_required(PARTICIPANT)
@require_POST
def event_unregister(request, pk):
    event = _participant_event(request, pk)
    registration = selectors.registration_of(request.user, event)
    if registration is None:
        return redirect("companion:event_detail", pk=event.pk)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect("companion:event_detail", pk=event.pk)


@role_required(OFFICE, PARTICIPANT)
def series_detail(request, pk):
    series = scoped_object_or_404(
        selectors.series_for_office(request.user) | selectors.series_for_participant(request.user),
        pk=pk,
    )
    events = list(selectors.with_counts(series.events.all()).order_by("starts_at", "id"))
    mine = {}
    if request.user.is_authenticated:
        mine = dict(
            Reg.objects.filter(event__series=series, participation__user=request.user).values_list(
                "event_id", "state"
            )
        )
    for event in events:
        event.my_state = mine.get(event.pk)
    return render(
        request,
        "companion/series_detail.html",
        {
            "series": series,
            "events": events,
            "may_register": any(
                require_ok("companion.register", request.user, e) for e in events[:1]
            ),
        },
    )


@role_required(PARTICIPANT)
@require_POST
def series_register(request, pk):
    series = scoped_object_or_404(selectors.series_for_participant(request.user), pk=pk)
    participation = selectors.participation_in(request.user, series.cohort_id)
    try:
        registrations = services.series_register(
            series=series, participation=participation, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        waiting = sum(1 for r in registrations if r.state == Reg.State.WAITING)
        messages.success(
            request,
            _("You are registered for %(count)s events of the series.")
            % {"count": len(registrations) - waiting}
            + (
                " " + _("For %(count)s you are on the waiting list.") % {"count": waiting}
                if waiting
                else ""
            ),
        )
    return redirect("companion:series_detail", pk=series.pk)


# Each row formats its event's dates: 25 rows, as the partner's registrations of
# interest, are half the rendering of 50 (the rows are written in Python since).
PARTNER_PAGE_SIZE = 25


@role_required(PARTNER)
def partner_registrations(request):
    """A partner contact's people's registrations for events (coming and past), a page
    at a time: 500 rows at once made 300 kB of HTML and half a second of rendering for an
    organisation with a thousand registrations."""
    user, number = request.user, request.GET.get("page")

    def render_page():
        registrations = CountedRows(
            lambda offset, limit: selectors.partner_registration_rows(user, offset, limit),
            lambda: selectors.partner_registrations(user).count(),
            number,
            PARTNER_PAGE_SIZE,
        )
        page = Paginator(registrations, PARTNER_PAGE_SIZE).get_page(number)
        return render_to_string(
            "companion/partner_registrations_page.html",
            {
                "registrations": page.object_list,
                "rows": partner_registration_rows(page.object_list),
                "page": page,
            },
            request=request,
        )

    # The page kept rendered under cohorts.figures' change token (events and their
    # registrations replace it too) and the partner's organisations (pioneer.fragments):
    # the query over all their people's registrations only after a change.
    page_html = fragments.list_page_html(
        request,
        "companion.partner_registrations",
        cohort_selectors.partner_kept_facts(user),
        render_page,
        figures.SECONDS,
    )
    return render(request, "companion/partner_registrations.html", {"page_html": page_html})
