"""The planner reads a cohort's events by SQL compiled once per process and takes a
month from them in Python, and writes the month's weeks in Python: the ORM's query, its
filter of the month and the old template of the weeks are kept here as the reference."""

import calendar
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from companion import rows, selectors
from companion.models import Event, EventRegistration
from companion.views import _month_grid
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db
NASTY = '<b>O\'Neil & "Sohn"</b>'

WEEKS = Template(
    "{% load i18n %}"
    '{% for week in weeks %}<tr class="kern-table__row">{% for cell in week %}\n'
    '          <td class="kern-table__cell{% if not cell.in_month %} pio-month__other'
    '{% endif %}"><span class="kern-body--small">{{ cell.date|date:"j" }}</span>\n'
    '            {% for event in cell.events %}<br><a class="kern-link" href="{% url '
    '\'companion:event_detail\' event.pk %}">{{ event.starts_at|time:"TIME_FORMAT" }} '
    '{{ event.title }}</a>{% if event.is_cancelled %} ({% trans "cancelled" %}){% endif %}'
    "{% endfor %}\n          </td>{% endfor %}</tr>{% endfor %}"
)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def world():
    ministry = OrganisationFactory(name=NASTY)
    cohort = CohortFactory(programme=ProgrammeFactory(organisation=ministry))
    series = SeriesFactory(cohort=cohort, title=NASTY)
    month = date(2026, 3, 1)
    # The month's edges in Berlin time (the first at 00:30 is the day before in UTC),
    # two on a day, one cancelled, one over two days, one in the month before and after.
    starts = [
        _at(month, 0, 30),
        _at(date(2026, 3, 10), 9),
        _at(date(2026, 3, 10), 14),
        _at(date(2026, 3, 31), 23, 30),
        _at(date(2026, 2, 28), 23, 59),
        _at(date(2026, 4, 1), 0, 0),
        _at(date(2026, 3, 20), 18),
    ]
    events = []
    for index, starts_at in enumerate(starts):
        events.append(
            EventFactory(
                cohort=cohort,
                title=f"{NASTY} {index}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=30 if index == 6 else 2),
                series=series if index % 2 else None,
                host_organisation=ministry if index % 3 == 0 else None,
                capacity=1 if index == 1 else None,
                state=Event.State.CANCELLED if index == 2 else Event.State.PLANNED,
            )
        )
    # (Past events: registrations written directly, as the service refuses them now.)
    Reg = EventRegistration
    Reg.objects.create(event=events[1], participation=participant_in(cohort, name="P0"))
    Reg.objects.create(
        event=events[1],
        participation=participant_in(cohort, name="P1"),
        state=Reg.State.WAITING,
        waiting_position=1,
    )
    Reg.objects.create(
        event=events[3],
        participation=participant_in(cohort, name="P2"),
        attendance=Reg.Attendance.ATTENDED,
    )
    EventFactory(title="another cohort's", starts_at=_at(date(2026, 3, 11), 9))
    return {"cohort": cohort, "month": month, "events": events}


def test_a_cohorts_events_as_the_orm_read_them(world):
    cohort = world["cohort"]
    old = list(selectors.cohort_events(cohort))
    new = selectors.cohort_event_list(cohort)
    assert [e.pk for e in new] == [e.pk for e in old]
    fields = [f.attname for f in Event._meta.concrete_fields]
    for a, b in zip(old, new, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
        assert (a.registered_count, a.waiting_count, a.attended_count) == (
            b.registered_count,
            b.waiting_count,
            b.attended_count,
        )
        assert (a.series and a.series.title) == (b.series and b.series.title)
        assert (a.host_organisation and a.host_organisation.name) == (
            b.host_organisation and b.host_organisation.name
        )
    assert selectors.cohort_event_list(CohortFactory()) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_weeks_write_what_the_template_wrote(world, language):
    cohort, month = world["cohort"], world["month"]
    events = selectors.cohort_event_list(cohort)
    start = timezone.make_aware(datetime.combine(month, time.min))
    end = start + timedelta(days=calendar.monthrange(month.year, month.month)[1])
    end = timezone.make_aware(datetime.combine(end.date(), time.min))
    with translation.override(language):
        shown = [e for e in events if start <= e.starts_at < end]
        orm = list(selectors.cohort_events(cohort).filter(starts_at__gte=start, starts_at__lt=end))
        assert [e.pk for e in shown] == [e.pk for e in orm]
        assert len(shown) == 5  # not the last day of February nor the first of April
        weeks = _month_grid(shown, month)
        assert str(rows.month_rows(weeks)) == WEEKS.render(Context({"weeks": weeks}))
        empty = _month_grid([], date(2026, 2, 1))
        assert str(rows.month_rows(empty)) == WEEKS.render(Context({"weeks": empty}))
    html = str(rows.month_rows(weeks))
    assert "&lt;b&gt;O&#x27;Neil &amp; &quot;Sohn&quot;&lt;/b&gt; 2" in html
    assert "(abgebrochen)" in html or "(cancelled)" in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_planners_month_and_list_show_the_orms_events(client, world, language):
    cohort = world["cohort"]
    client.force_login(office_user(cohort.programme.organisation))
    client.cookies["django_language"] = language
    url = f"/cohorts/{cohort.pk}/events/"
    for month in ("2026-02", "2026-03", "2026-04"):
        html = client.get(url, {"view": "month", "month": month}).content.decode()
        first = date(*map(int, month.split("-")), 1)
        start = timezone.make_aware(datetime.combine(first, time.min))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        expected = list(
            selectors.cohort_events(cohort)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .values_list("pk", flat=True)
        )
        assert [
            int(pk) for pk in re.findall(r'<br><a class="kern-link" href="/events/(\d+)/', html)
        ] == sorted(expected, key=_day_order)
    html = client.get(url).content.decode()
    listed = [
        int(pk)
        for pk in re.findall(
            r'<th scope="row" class="kern-table__cell"><a class="kern-link" href="/events/(\d+)/',
            html,
        )
    ]
    assert listed == [e.pk for e in selectors.cohort_events(cohort)]


def _day_order(pk):
    event = Event.objects.get(pk=pk)
    return (timezone.localtime(event.starts_at), pk)
