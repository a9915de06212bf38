"""The participant's six months as a picture and as words (My tandem).

Pure functions of a tandem's two phases, today and the person's dates (from
`pioneer.hooks.personal_dates`): no queries. The picture (an SVG drawn with percentages,
since the content security policy allows no inline styles) is hidden from screen
readers; everything it shows is also said in the text beside it and in the ordered list
of dates, so neither colour nor sight is needed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone


def day_of(value):
    """The calendar day (in Europe/Berlin) of a date or an aware datetime."""
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def _percent(day, start, total):
    return round(100 * (day - start).days / total, 2)


@dataclass
class Timeline:
    start: date
    end: date
    today: date
    segments: list = field(default_factory=list)
    months: list = field(default_factory=list)
    today_left: float | None = None
    current: object = None
    next_phase: object = None
    days_left: int | None = None
    days_to_next: int | None = None
    is_guest: bool = False
    moment: str = ""  # "before", "during", "between", "after"


def timeline(phases, user, today=None):
    """The picture and the sentence "where am I now" of one tandem (its two phases in
    order), seen by `user`; None without phases."""
    phases = sorted(phases, key=lambda p: p.start)
    if not phases:
        return None
    today = today or timezone.localdate()
    start, end = phases[0].start, max(p.end for p in phases)
    total = max((end - start).days + 1, 1)
    line = Timeline(start=start, end=end, today=today)
    for phase in phases:
        line.segments.append(
            {
                "phase": phase,
                "left": _percent(phase.start, start, total),
                "width": round(100 * phase.days / total, 2),
                "is_guest": phase.guest.user_id == user.pk,
            }
        )
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            line.months.append({"day": month, "left": _percent(month, start, total)})
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if start <= today <= end:
        line.today_left = _percent(today, start, total)
    line.current = next((p for p in phases if p.start <= today <= p.end), None)
    line.next_phase = next((p for p in phases if p.start > today), None)
    if line.current:
        line.moment = "during"
        line.days_left = (line.current.end - today).days
        line.is_guest = line.current.guest.user_id == user.pk
    elif today < start:
        line.moment = "before"
    elif today > end:
        line.moment = "after"
    else:
        line.moment = "between"
    if line.next_phase:
        line.days_to_next = (line.next_phase.start - today).days
    return line


def dated_list(dates, today=None):
    """The person's dates as rows for the ordered list, with where today falls
    (`today_at`: the index of the first row that begins today or later)."""
    today = today or timezone.localdate()
    rows = []
    for item in dates:
        first = day_of(item.start)
        last = day_of(item.end) if item.end else first
        rows.append(
            {
                "item": item,
                "first": first,
                "last": last,
                "timed": isinstance(item.start, datetime),
                "past": last < today,
            }
        )
    # Rows are in order of their first day: today comes before the first that begins
    # today or later (a phase under way stays above it, as it began before).
    today_at = next((i for i, row in enumerate(rows) if row["first"] >= today), len(rows))
    return rows, today_at


def coming(rows, limit=5):
    """The next milestones and events: not over, not done, not cancelled."""
    return [
        row
        for row in rows
        if not row["past"]
        and not row["item"].done
        and not row["item"].cancelled
        and row["item"].kind != "phase"
    ][:limit]


# --- written in Python (see pioneer.row_html) ---------------------------------------------
# My tandem drew the picture and listed the phases with the template language, a filter
# or a tag per number: a third of the page's rendering. The same HTML, written here.


def picture(line):
    """The inside of the picture's <svg> (templates/tandems/_my_tandem.html): the months'
    ticks, the phases' bars and today's line, with the lines between them the template
    wrote."""
    from django.utils import dateformat
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    months = "".join(
        f'<line x1="{m["left"]}%" x2="{m["left"]}%" y1="14" y2="64" class="pio-timeline__tick"/>'
        f'<text x="{m["left"]}%" y="84" class="pio-timeline__month" dx="2">'
        f"{esc(dateformat.format(m['day'], 'M'))}</text>"
        for m in line.months
    )
    guest, host = esc(_("guest")), esc(_("host"))
    segments = "".join(
        f'<rect x="{s["left"]}%" width="{s["width"]}%" y="22" height="34" '
        f'class="pio-timeline__phase pio-timeline__phase--{"guest" if s["is_guest"] else "host"}"/>'
        f'<text x="{s["left"]}%" y="44" dx="6" class="pio-timeline__label">'
        f"{esc(s['phase'].number)}: {guest if s['is_guest'] else host}</text>"
        for s in line.segments
    )
    today = ""
    if line.today_left is not None:
        left = line.today_left
        today = (
            f'<line x1="{left}%" x2="{left}%" y1="12" y2="66" class="pio-timeline__today"/>'
            f'<text x="{left}%" y="10" class="pio-timeline__today-label" '
            f'text-anchor="middle">{esc(_("today"))}</text>'
        )
    return mark_safe(f"{months}\n      {segments}\n      {today}")  # noqa: S308


def phase_items(phases):
    """`{% include "tandems/_phase.html" %}` for each of a tandem's phases (with their
    guests' people and users, host organisations and host contacts loaded)."""
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from pioneer.row_html import date_formatter, url_maker

    day = date_formatter("SHORT_DATE_FORMAT")
    agreement = url_maker("tandems:agreement")
    guest_line = _("%(guest)s is the guest at %(host)s")
    agreement_label = _("Agreement, phase %(number)s")
    host_contact = esc(_("host contact"))
    items = []
    for phase in phases:
        label = phase.host_contact_label
        items.append(
            f"<li><strong>{esc(phase.get_number_display())}</strong>: "
            f"{day(phase.start)} – {day(phase.end)}; "
            + guest_line % {"guest": esc(phase.guest.user), "host": esc(phase.host_organisation)}
            + (f" ({host_contact}: {esc(label)})" if label else "")
            + f' · <a class="kern-link" href="{esc(agreement(phase.pk))}">'
            + agreement_label % {"number": esc(phase.number)}
            + "</a></li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308


def dated_items(rows, today_at, today):
    """The items of My tandem's ordered list of dates (rows of `dated_list` with their
    `html`, tandems.rows.dated_rows), today's line before the row `today_at` (or after
    the last): what the template's loop wrote, with its line breaks."""
    from django.utils.formats import date_format
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    today_line = (
        '<li class="pio-dates__today"><strong>'
        + _("Today, %(date)s") % {"date": esc(date_format(today, "DATE_FORMAT"))}
        + "</strong></li>"
    )
    past = ' class="pio-dates__past"'
    items = [
        f"\n        {today_line if index == today_at else ''}\n        "
        f'<li value="{index + 1}"{past if row["past"] else ""}>{row["html"]}</li>\n      '
        for index, row in enumerate(rows)
    ]
    items.append(f"\n      {today_line if today_at == len(rows) else ''}")
    return mark_safe("".join(items))  # noqa: S308


def panel_entries(entries):
    """The entries of the participant's home's tandem panel
    (templates/tandems/panel_my_tandem.html): partner, cohort and status, the phase of
    today and the days left in it, the request to confirm a proposed tandem."""
    from django.utils.html import conditional_escape as esc
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from pioneer.row_html import number

    status = esc(_("Status"))
    proposes = esc(_("The programme office proposes this tandem: please confirm it."))
    written = []
    for entry in entries:
        t, partner, current = entry["tandem"], entry["partner"], entry["current"]
        with_whom = _("With %(partner)s (%(organisation)s)") % {
            "partner": esc(partner.user),
            "organisation": esc(partner.organisation.name),
        }
        now = ""
        if current:
            if entry["is_guest"]:
                phase = _("Phase %(number)s: you are the guest at %(host)s.") % {
                    "number": esc(number(current.number)),
                    "host": esc(current.host_organisation.name),
                }
            else:
                phase = _("Phase %(number)s: you host %(partner)s.") % {
                    "number": esc(number(current.number)),
                    "partner": esc(partner.user),
                }
            days = entry["days_left"]
            left = ngettext(
                "%(days)s day left in this phase.", "%(days)s days left in this phase.", days
            ) % {"days": esc(number(days))}
            now = f"\n          <p>{phase}\n          {left}</p>\n        "
        confirm = f"<p>{proposes}</p>" if t.state == "proposed" and not entry["confirmed"] else ""
        written.append(
            f"\n        <p><strong>{with_whom}</strong> – {esc(t.cohort.title)} · {status}: "
            f"{esc(t.get_state_display())}</p>\n        {now}\n        {confirm}\n      "
        )
    return mark_safe("".join(written))  # noqa: S308
