"""The attendance list's rows written in Python (see `pioneer.row_html`): the same HTML
the template wrote, with the links, the words and the CSRF field made once per page."""

from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companion.models import Event
from companion.models import EventRegistration as Reg
from pioneer.row_html import date_as, date_formatter, esc, join, labels, number, url_maker


def csrf_field(request):
    """`{% csrf_token %}`: the hidden field, once for all the page's forms."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


def _braces(text):
    """Text as the literal part of a `str.format` pattern."""
    return text.replace("{", "{{").replace("}", "}}")


class AttendanceRows:
    """What every row of one event's attendance list needs, made once. The rows are
    `companion.selectors.AttendanceRow`s (`attendance_row` makes one of a registration).
    Only the person's name and e-mail and the organisation's names are text of the
    rows; the rest is numbers, fixed words and the URLs reversed once."""

    def __init__(self, request, event, started):
        self.event = event
        self.started = started
        self.csrf = csrf_field(request)
        self.mark_url = url_maker("companion:attendance_mark", event.pk)
        self.remove_url = url_maker("companion:attendance_remove", event.pk)
        self.words = {
            key: esc(text)
            for key, text in {
                "checked_in": _("Checked in"),
                "no_show": _("Did not come"),
                "not_recorded": _("Not recorded"),
                "undo": _("Undo check-in"),
                "check_in": _("Check in"),
                "remove": _("Remove"),
                "remove_waiting": _("Remove from the waiting list"),
            }.items()
        }
        self.attendance = labels(Reg.Attendance.choices)
        # The words as literal text of the `str.format` patterns below.
        w = {key: _braces(text) for key, text in self.words.items()}
        self._checked_in = (
            '<span class="kern-badge kern-badge--success"><span class="kern-label '
            'kern-label--small">' + w["checked_in"] + " {}</span></span>"
        )
        self._no_show = (
            '<span class="kern-badge kern-badge--danger"><span class="kern-label '
            'kern-label--small">' + self.words["no_show"] + "</span></span>"
        )
        button = (
            '<button type="submit" name="action" value="{value}" class="kern-btn '
            'kern-btn--{kind}" aria-describedby="person-{{pk}}"><span class="kern-label">'
            "{label}</span></button>"
        )
        # (`label` is already a pattern's literal text: formatted twice, it stays text.)
        w2 = {key: _braces(text) for key, text in w.items()}
        self._undo = button.format(value="reset", kind="secondary", label=w2["undo"])
        self._check_in = button.format(value="check_in", kind="primary", label=w2["check_in"])
        self._mark_no_show = button.format(value="no_show", kind="tertiary", label=w2["no_show"])
        csrf = _braces(self.csrf)
        self._checkin = (
            '<li class="pio-checkin__item" id="registration-{pk}"><div>'
            '<strong id="person-{pk}">{who}</strong><br>'
            '<span class="kern-body--small">{org}</span><br>'
            '<span class="kern-body--small" role="status">{status}{error}</span></div>'
            '<form method="post" action="{url}" hx-post="{url}" hx-target="#registration-{pk}"'
            ' hx-swap="outerHTML" class="pio-checkin__actions">' + csrf + "{buttons}</form></li>"
        )
        self._waiting = (
            '<li><span id="waiting-{pk}">{who} ({org})</span>'
            '<form method="post" action="{url}" class="pio-inline-form">'
            + csrf
            + '<button type="submit" class="kern-btn kern-btn--tertiary" '
            'aria-describedby="waiting-{pk}"><span class="kern-label">'
            + w["remove_waiting"]
            + "</span></button></form></li>"
        )
        self._signature = (
            '<tr class="kern-table__row">'
            '<th scope="row" class="kern-table__cell" id="signer-{pk}">{who}</th>'
            '<td class="kern-table__cell">{org}</td>'
            '<td class="kern-table__cell">{attendance}</td>'
            '<td class="kern-table__cell pio-print-only pio-signature"></td>'
            '<td class="kern-table__cell pio-screen-only"><form method="post" action="{url}">'
            + csrf
            + '<button type="submit" class="kern-btn kern-btn--tertiary" '
            'aria-describedby="signer-{pk}"><span class="kern-label">'
            + w["remove"]
            + "</span></button></form></td></tr>"
        )

    def checkin(self, r, error=""):
        """One person of the check-in list (also the htmx answer after a click)."""
        pk = int(r.pk)
        if r.attendance == Reg.Attendance.ATTENDED:
            status = self._checked_in.format(esc(date_as(r.checked_in_at, "TIME_FORMAT")))
            buttons = self._undo.format(pk=pk)
        else:
            if r.attendance == Reg.Attendance.NO_SHOW:
                status = self._no_show
            else:
                status = self.words["not_recorded"]
            buttons = self._check_in.format(pk=pk)
            if self.started and r.attendance != Reg.Attendance.NO_SHOW:
                buttons += self._mark_no_show.format(pk=pk)
        url = esc(self.mark_url(pk))
        return mark_safe(  # noqa: S308 - every text is escaped here
            self._checkin.format(
                pk=pk,
                who=esc(r.name or r.email),
                org=esc(r.organisation_short_name or r.organisation),
                status=status,
                error=format_html(' <span class="kern-error">{}</span>', error) if error else "",
                url=url,
                buttons=buttons,
            )
        )

    def checkins(self, registered):
        return join(self.checkin(r) for r in registered)

    def waiting(self, waiting):
        remove = self.remove_url
        return join(
            self._waiting.format(
                pk=int(r.pk),
                who=esc(r.name or r.email),
                org=esc(r.organisation_short_name or r.organisation),
                url=esc(remove(int(r.pk))),
            )
            for r in waiting
        )

    def signatures(self, registered):
        remove, attendance = self.remove_url, self.attendance
        return join(
            self._signature.format(
                pk=int(r.pk),
                who=esc(r.name or r.email),
                org=esc(r.organisation),
                attendance=attendance.get(r.attendance) or esc(r.attendance),
                url=esc(remove(int(r.pk))),
            )
            for r in registered
        )


def certificate_rows(people, issuable):
    """The rows of a cohort's certificates page: each row's button makes that person's
    certificate through the one form around the table (templates/companion/certificates.html).
    `people` are `companion.certificate_views.HolderRow`s."""
    download = url_maker("companion:certificate_download")
    day = date_formatter("SHORT_DATE_FORMAT")
    none_yet = esc(_("None yet"))
    issued_on = _("Issued on %(date)s")
    again, make = _("Make again for %(name)s"), _("Make for %(name)s")
    button = (
        '<button type="submit" name="participation" value="{}" class="kern-btn '
        'kern-btn--tertiary"><span class="kern-label">{}</span></button>'
    )
    certificate_cell = (
        '<a class="kern-link" href="{}">{}</a><br><span class="kern-body--small">{}</span>'
    )
    row = (
        '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">{}<br>'
        '<span class="kern-body--small">{}</span></th>'
        '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td></tr>'
    )
    rows = []
    for person in people:
        if person.certificate_pk:
            events = person.certificate_events
            certificate = certificate_cell.format(
                esc(download(person.certificate_pk)),
                esc(issued_on % {"date": day(person.certificate_issued_at)}),
                esc(
                    ngettext("%(n)s event attended", "%(n)s events attended", events)
                    % {"n": events}
                ),
            )
        else:
            certificate = none_yet
        action = ""
        if issuable:
            label = (again if person.certificate_pk else make) % {"name": person.name}
            action = button.format(int(person.pk), esc(label))
        rows.append(
            row.format(
                esc(person.name or person.email), esc(person.organisation), certificate, action
            )
        )
    return join(rows)


class When:
    """`{% include "companion/_when.html" %}` for many events: an event's start and end
    as two <time> elements (the end's date only when it ends on another day), with the
    formats looked up once (and the include's closing line break). Each span is written
    once: a list's rows name the same few events (25 registrations, 4 events)."""

    def __init__(self):
        self.datetime = date_formatter("SHORT_DATETIME_FORMAT")
        self.time = date_formatter("TIME_FORMAT")
        # `|date:"D"`: the weekday's short name in the current language, each read once.
        self.weekdays = {}
        self.written = {}

    def __call__(self, event):
        return self.span(event.starts_at, event.ends_at)

    def span(self, starts_at, ends_at):
        key = (starts_at, ends_at)
        found = self.written.get(key)
        if found is None:
            found = self.written[key] = self._span(starts_at, ends_at)
        return found

    def _span(self, starts_at, ends_at):
        starts = timezone.localtime(starts_at)
        ends = timezone.localtime(ends_at)
        end = self.time(ends) if starts.date() == ends.date() else self.datetime(ends)
        day = starts.weekday()
        weekday = self.weekdays.get(day)
        if weekday is None:
            weekday = self.weekdays[day] = esc(str(WEEKDAYS_ABBR[day]))
        return mark_safe(  # noqa: S308 - every part is escaped here
            f'<time datetime="{esc(starts.isoformat())}">{weekday}, {esc(self.datetime(starts))}'
            f'</time>–<time datetime="{esc(ends.isoformat())}">{esc(end)}</time>\n'
        )


def partner_registration_rows(registrations):
    """The rows of a partner contact's people's event registrations
    (templates/companion/partner_registrations.html), from `PartnerRegistrationRow`s."""
    when = When()
    states = labels(Reg.State.choices)
    attendance = labels(Reg.Attendance.choices)
    cancelled = format_html(" ({})", _("cancelled"))
    return join(
        format_html(
            '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">{}<br>'
            '<span class="kern-body--small">{}</span></th>'
            '<td class="kern-table__cell">{}{}<br><span class="kern-body--small">{}</span></td>'
            '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
            '<td class="kern-table__cell">{}</td></tr>',
            r.name or r.email,
            r.organisation,
            r.title,
            cancelled if r.event_state == Event.State.CANCELLED else "",
            r.cohort,
            when.span(r.starts_at, r.ends_at),
            states.get(r.state, r.state),
            attendance.get(r.attendance, r.attendance),
        )
        for r in registrations
    )


def places(event):
    """`{% include "companion/_places.html" %}`: the places taken and the waiting list of
    an event with `with_counts`."""
    taken = number(event.registered_count)
    if event.capacity:
        text = _("%(taken)s of %(total)s places taken") % {
            "taken": taken,
            "total": number(event.capacity),
        }
    else:
        text = _("%(taken)s registered (no limit)") % {"taken": taken}
    if event.waiting_count:
        n = event.waiting_count
        text += ", " + ngettext("%(n)s waiting", "%(n)s waiting", n) % {"n": number(n)}
    # The include ended in a line break.
    return format_html("{}\n", text)


def planner_rows(events, now):
    """The rows of a cohort's events (the list of templates/companion/planner.html)."""
    when = When()
    detail = url_maker("companion:event_detail")
    attendance = url_maker("companion:attendance")
    kinds = labels(Event.Kind.choices)
    formats = labels(Event.Format.choices)
    cancelled = format_html(
        '<br><span class="kern-badge kern-badge--danger"><span class="kern-label '
        'kern-label--small">{}</span></span>',
        _("Cancelled"),
    )
    attendance_list = esc(_("Attendance list"))
    attended_pattern = _("%(n)s attended")
    link = '<a class="kern-link" href="{}">{}</a>'
    row = (
        '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
        '<a class="kern-link" href="{}">{}</a><br><span class="kern-body--small">{}{} · {}'
        "</span>{}</th>"
        '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
        '<td class="kern-table__cell">{}</td></tr>'
    )

    def attended(event):
        if event.is_cancelled:
            return ""
        if event.ends_at <= now:
            text = esc(attended_pattern % {"n": number(event.attended_count)})
        else:
            text = attendance_list
        return link.format(esc(attendance(event.pk)), text)

    return join(
        row.format(
            esc(detail(event.pk)),
            esc(event.title),
            kinds.get(event.kind) or esc(event.kind),
            " · " + esc(event.series.title) if event.series else "",
            formats.get(event.format) or esc(event.format),
            cancelled if event.is_cancelled else "",
            when(event),
            places(event),
            attended(event),
        )
        for event in events
    )


def month_rows(weeks):
    """The weeks of the planner's month (templates/companion/planner.html): each day's
    number and its events (the start's time and the title, a link; "(cancelled)")."""
    detail = url_maker("companion:event_detail")
    time = date_formatter("TIME_FORMAT")
    cancelled = " (" + esc(_("cancelled")) + ")"
    parts = []
    for week in weeks:
        parts.append('<tr class="kern-table__row">')
        for cell in week:
            events = "".join(
                '<br><a class="kern-link" href="{}">{} {}</a>{}'.format(
                    esc(detail(event.pk)),
                    esc(time(event.starts_at)),
                    esc(event.title),
                    cancelled if event.is_cancelled else "",
                )
                for event in cell["events"]
            )
            parts.append(
                '\n          <td class="kern-table__cell{}"><span class="kern-body--small">{}'
                "</span>\n            {}\n          </td>".format(
                    "" if cell["in_month"] else " pio-month__other", cell["date"].day, events
                )
            )
        parts.append("</tr>")
    return join(parts)


def event_cards(events):
    """`{% include "companion/_event_list.html" %}` for a participant's events (with
    `events_for_participant`'s counts and own state): the same cards, written in Python."""
    when = When()
    detail = url_maker("companion:event_detail")
    kinds = labels(Event.Kind.choices)
    formats = labels(Event.Format.choices)
    badge = (
        '<span class="kern-badge kern-badge--{}"><span class="kern-label kern-label--small">'
        "{}</span></span>"
    )
    cancelled = format_html(" " + badge, "danger", _("Cancelled"))
    registered = format_html(badge, "success", _("You are registered"))
    waiting = format_html(badge, "info", _("You are on the waiting list"))

    def status(event):
        if event.my_state == Reg.State.REGISTERED:
            return registered
        if event.my_state == Reg.State.WAITING:
            return waiting
        if event.is_cancelled:
            return ""
        return format_html('<span class="kern-body--small">{}</span>', places(event))

    cards = join(
        format_html(
            '\n  <li class="kern-card"><div class="kern-card__container">'
            '<div class="kern-card__body">\n    <p><a class="kern-link" href="{}"><strong>{}'
            '</strong></a>{}<br>\n    <span class="kern-body--small">{} · {}{}</span><br>\n'
            "    {}<br>\n    {}</p>\n  </div></div></li>\n",
            detail(event.pk),
            event.title,
            cancelled if event.is_cancelled else "",
            kinds.get(event.kind, event.kind),
            formats.get(event.format, event.format),
            format_html(" · {}", event.venue) if event.venue else "",
            when(event),
            status(event),
        )
        for event in events
    )
    return format_html('<ul class="pio-event-list kern-stack-sm">\n{}\n</ul>\n', cards)


def partner_home_items(registrations):
    """The list items of the partner's home's panel of their people's coming events
    (templates/companion/panel_partner_registrations.html), from `PartnerComingRow`s."""
    day = date_formatter("SHORT_DATE_FORMAT")
    states = labels(Reg.State.choices)
    return join(
        format_html(
            "<li>{}: {}, {} ({})</li>",
            r.name or r.email,
            r.title,
            day(r.starts_at),
            states.get(r.state, r.state),
        )
        for r in registrations
    )
