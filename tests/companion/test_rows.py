"""The lists written in Python (`companion.rows`) write what their templates wrote: the
old row templates are kept here as the reference, rendered on the same events in both
languages, for each kind of row (cancelled, in a series, past with attendance, without
a limit, with a waiting list, over two days)."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from companion import rows, selectors
from companion.models import Event, EventRegistration
from tests.companion.test_partner_rows import as_row
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in, register

pytestmark = pytest.mark.django_db

PLANNER_ROW = Template(
    "{% load i18n %}{% for event in events %}"
    '<tr class="kern-table__row"><th scope="row" class="kern-table__cell"><a class="kern-link" '
    "href=\"{% url 'companion:event_detail' event.pk %}\">{{ event.title }}</a><br>"
    '<span class="kern-body--small">{{ event.get_kind_display }}{% if event.series %} · '
    "{{ event.series.title }}{% endif %} · {{ event.get_format_display }}</span>"
    '{% if event.is_cancelled %}<br><span class="kern-badge kern-badge--danger"><span '
    'class="kern-label kern-label--small">{% trans "Cancelled" %}</span></span>{% endif %}</th>'
    '<td class="kern-table__cell">{% include "companion/_when.html" %}</td>'
    '<td class="kern-table__cell">{% include "companion/_places.html" %}</td>'
    '<td class="kern-table__cell">{% if not event.is_cancelled %}<a class="kern-link" '
    "href=\"{% url 'companion:attendance' event.pk %}\">{% if event.ends_at <= now %}"
    "{% blocktrans with n=event.attended_count %}{{ n }} attended{% endblocktrans %}{% else %}"
    '{% trans "Attendance list" %}{% endif %}</a>{% endif %}</td></tr>{% endfor %}'
)


@pytest.fixture
def events():
    cohort = CohortFactory()
    now = timezone.now()
    series = SeriesFactory(cohort=cohort, title="Lernreise <b>Ost</b>")
    full = EventFactory(cohort=cohort, capacity=1, title="Voll & ganz")
    for n in range(3):
        register(full, participant_in(cohort, name=f"Person {n}"))
    past = EventFactory(
        cohort=cohort,
        series=series,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=2),  # over two days
    )
    EventRegistration.objects.create(
        event=past,
        participation=participant_in(cohort, name="Teilnehmerin"),
        attendance=EventRegistration.Attendance.ATTENDED,
    )
    EventFactory(cohort=cohort, state=Event.State.CANCELLED, series=series)
    offen = EventFactory(cohort=cohort, capacity=None, title="Offen")
    register(offen, participant_in(cohort, name="", email="ohne-name@example.org"))
    return cohort, now


@pytest.mark.parametrize("language", ["de", "en"])
def test_planner_rows_write_what_the_template_wrote(events, language):
    cohort, now = events
    with translation.override(language):
        listed = list(selectors.cohort_events(cohort))
        expected = PLANNER_ROW.render(Context({"events": listed, "now": now}))
        assert str(rows.planner_rows(listed, now)) == expected
    assert "Abgesagt" in expected or "Cancelled" in expected
    assert "Lernreise &lt;b&gt;Ost&lt;/b&gt;" in expected


PARTNER_ROW = Template(
    "{% load i18n %}{% for r in registrations %}"
    '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
    "{{ r.participation.user.name|default:r.participation.user.email }}<br>"
    '<span class="kern-body--small">{{ r.participation.organisation.name }}</span></th>'
    '<td class="kern-table__cell">{{ r.event.title }}{% if r.event.is_cancelled %} '
    '({% trans "cancelled" %}){% endif %}<br><span class="kern-body--small">'
    "{{ r.event.cohort.title }}</span></td>"
    '<td class="kern-table__cell">{% include "companion/_when.html" with event=r.event %}</td>'
    '<td class="kern-table__cell">{{ r.get_state_display }}</td>'
    '<td class="kern-table__cell">{{ r.get_attendance_display }}</td></tr>{% endfor %}'
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_partner_registration_rows_write_what_the_template_wrote(events, language):
    cohort, _now = events
    Event.objects.filter(title="Offen").update(state=Event.State.CANCELLED)
    registrations = list(
        EventRegistration.objects.select_related(
            "event__cohort", "participation__user", "participation__organisation"
        ).order_by("pk")
    )
    with translation.override(language):
        expected = PARTNER_ROW.render(Context({"registrations": registrations}))
        written = [as_row(r) for r in registrations]
        assert str(rows.partner_registration_rows(written)) == expected
    assert "Voll &amp; ganz" in expected


@pytest.mark.parametrize("language", ["de", "en"])
def test_event_cards_write_what_the_template_wrote(events, language):
    cohort, _now = events
    person = participant_in(cohort, name="Selbst")
    full = Event.objects.get(title="Voll & ganz")
    register(full, person)  # on the waiting list
    register(Event.objects.get(title="Offen"), person)
    EventFactory(cohort=cohort, venue="", title="Ohne Ort")
    with translation.override(language):
        listed = list(selectors.events_for_participant(person.user))
        expected = Template('{% include "companion/_event_list.html" %}').render(
            Context({"events": listed})
        )
        assert str(rows.event_cards(listed)) == expected
    assert "kern-badge--info" in expected and "kern-badge--success" in expected
