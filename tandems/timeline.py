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
