"""The home panels' rows read by SQL kept per process (pioneer.compiled) and written in
Python answer what their querysets and templates gave: the old querysets and templates
are the reference here, over several people, moments and kinds of row."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cohorts import selectors as cohort_selectors
from cohorts.models import Participation
from companion import selectors
from companion.models import Event, EventRegistration
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.companion import EventFactory, participant_in, register

pytestmark = pytest.mark.django_db

CARD = (
    "pk",
    "title",
    "state",
    "kind",
    "format",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "registered_count",
    "waiting_count",
    "my_state",
)


def _cards(events):
    return [tuple(getattr(event, name) for name in CARD) for event in events]


@pytest.fixture
def coming():
    """A person in two cohorts (and withdrawn from a third) with events of each kind:
    registered, waiting, full, cancelled, over, running now, without a venue, more than
    the panel's five; another person's cohort with its own events."""
    now = timezone.now()
    cohort, second, left = CohortFactory(), CohortFactory(), CohortFactory()
    person = participant_in(cohort, name="Selbst")
    in_second = ParticipationFactory(cohort=second, user=person.user, role=False)
    ParticipationFactory(
        cohort=left,
        user=person.user,
        state=Participation.State.WITHDRAWN,
        withdrawn_reason="Umzug",
        role=False,
    )
    full = EventFactory(cohort=cohort, capacity=1, title="Voll & <b>ganz</b>")
    register(full, participant_in(cohort, name="Erste"))
    register(full, person)  # on the waiting list
    register(EventFactory(cohort=second, capacity=None, title="Offen"), in_second)
    EventFactory(cohort=cohort, state=Event.State.CANCELLED, title="Abgesagt")
    EventFactory(cohort=cohort, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    EventFactory(
        cohort=cohort, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    EventFactory(cohort=second, venue="", title="Ohne Ort", starts_at=now + timedelta(days=1))
    for n in range(4):
        EventFactory(cohort=second, starts_at=now + timedelta(days=20 + n))
    EventFactory(cohort=left, title="Ausgetreten")
    other = participant_in(CohortFactory(), name="Andere")
    EventFactory(cohort=other.cohort, title="Fremd")
    return {"person": person, "other": other, "now": now}


def test_next_event_cards_are_the_next_events_of_the_person(coming):
    now = coming["now"]
    for user in (coming["person"].user, coming["other"].user):
        for moment in (
            now,
            now - timedelta(days=10),
            now + timedelta(days=21),
            now + timedelta(days=400),
        ):
            for limit in (5, 20):
                expected = list(
                    selectors.next_events_for_participant(user, now=moment, limit=limit)
                )
                found = selectors.next_event_cards(user, now=moment, limit=limit)
                assert _cards(found) == _cards(expected), (user, moment, limit)
    found = selectors.next_event_cards(coming["person"].user, now=now)
    assert len(found) == 5
    assert {e.my_state for e in found} >= {
        EventRegistration.State.WAITING,
        EventRegistration.State.REGISTERED,
    }
    assert selectors.next_event_cards(coming["person"].user, now=now + timedelta(days=400)) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_next_events_panel_writes_what_its_template_wrote(coming, language, rf):
    from companion.signals import home_panels
    from pioneer.rules import roles_of

    user = coming["person"].user
    request = rf.get("/home/")
    request.user = user
    with translation.override(language):
        (panel,) = home_panels(None, request=request, roles=roles_of(user))
        listed = list(selectors.next_events_for_participant(user))
        expected = Template('{% include "companion/_event_list.html" %}').render(
            Context({"events": listed})
        )
        assert str(panel.context["cards"]) == expected
        assert _cards(panel.context["events"]) == _cards(listed)
    assert "Voll &amp; &lt;b&gt;ganz&lt;/b&gt;" in expected


def test_the_panel_without_coming_events_says_so(coming, client):
    Event.objects.all().delete()
    client.force_login(coming["person"].user)
    html = client.get("/home/").content.decode()
    assert "pio-event-list" not in html
    assert "In Ihren Durchgängen stehen keine Veranstaltungen an." in html or (
        "No events are coming up in your cohorts." in html
    )


def test_the_participations_brief_are_the_participations_of_the_user(coming):
    person = coming["person"].user
    nobody = participant_in(CohortFactory()).user
    Participation.objects.filter(user=nobody).delete()
    for user in (person, coming["other"].user, nobody):
        for limit in (1, 20):
            expected = list(cohort_selectors.participations_of_user(user)[:limit])
            found = cohort_selectors.participations_of_user_brief(user, limit)
            assert [
                (
                    p.pk,
                    p.get_state_display(),
                    p.get_side_display(),
                    p.cohort.title,
                    p.cohort.start_date,
                    p.cohort.end_date,
                    p.cohort.programme.name,
                )
                for p in found
            ] == [
                (
                    p.pk,
                    p.get_state_display(),
                    p.get_side_display(),
                    p.cohort.title,
                    p.cohort.start_date,
                    p.cohort.end_date,
                    p.cohort.programme.name,
                )
                for p in expected
            ], (user, limit)
    assert len(cohort_selectors.participations_of_user_brief(person, 20)) == 3


COHORT_ITEMS = (
    "{% load i18n %}{% for p in participations %}\n"
    "          <li>\n"
    "            <strong>{{ p.cohort.programme.name }} – {{ p.cohort.title }}</strong>:\n"
    '            {% if p.cohort.start_date %}{{ p.cohort.start_date|date:"DATE_FORMAT" }} – '
    '{{ p.cohort.end_date|date:"DATE_FORMAT"|default:"…" }}{% else %}{% trans "no dates yet" %}'
    "{% endif %};\n"
    '            {% trans "your status:" %} {{ p.get_state_display }} ({{ p.get_side_display }})\n'
    "          </li>\n"
    "        {% endfor %}"
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_cohorts_panel_writes_what_its_template_wrote(language):
    from cohorts.views.rows import participant_cohort_items
    from tests.factories.cohorts import ProgrammeFactory
    from tests.factories.core import UserFactory

    user = UserFactory()
    programme = ProgrammeFactory(name="Programm <b>&\"'")
    today = timezone.localdate()
    for n, (start, end, state, side) in enumerate(
        [
            (today, today + timedelta(days=180), Participation.State.ACTIVE, "administration"),
            (None, None, Participation.State.CONFIRMED, "external"),
            (today - timedelta(days=400), None, Participation.State.COMPLETED, "external"),
            (today + timedelta(days=3), today + timedelta(days=33), "withdrawn", "external"),
        ]
    ):
        cohort = CohortFactory(
            programme=programme, title=f"Durchgang {n} <i>", start_date=start, end_date=end
        )
        ParticipationFactory(
            cohort=cohort,
            user=user,
            state=state,
            side=side,
            withdrawn_reason="Umzug" if state == "withdrawn" else "",
            role=n == 0,
        )
    with translation.override(language):
        found = cohort_selectors.participations_of_user_brief(user, 20)
        expected = Template(COHORT_ITEMS).render(Context({"participations": found}))
        assert str(participant_cohort_items(found)) == expected
    assert expected.count("<li>") == 4 and "…" in expected
    assert "Programm &lt;b&gt;&amp;&quot;&#x27; – Durchgang 0 &lt;i&gt;" in expected
