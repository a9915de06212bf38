"""My tandem's picture and phases written in Python (tandems.timeline.picture and
phase_items) write what the template wrote: its old text is kept here as the reference,
rendered for each moment of the six months (before, in a phase as guest and as host,
between, after), host contacts of each kind, in both languages, with markup in names."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tandems import timeline
from tandems.models import HospitationPhase
from tests.factories.core import UserFactory
from tests.factories.tandems import tandem

pytestmark = pytest.mark.django_db

PICTURE = Template(
    "{% load i18n %}"
    "{% for m in line.months %}<line x1=\"{{ m.left|stringformat:'s' }}%\" "
    'x2="{{ m.left|stringformat:\'s\' }}%" y1="14" y2="64" class="pio-timeline__tick"/>'
    '<text x="{{ m.left|stringformat:\'s\' }}%" y="84" class="pio-timeline__month" '
    'dx="2">{{ m.day|date:"M" }}</text>{% endfor %}\n      '
    "{% for s in line.segments %}<rect x=\"{{ s.left|stringformat:'s' }}%\" "
    'width="{{ s.width|stringformat:\'s\' }}%" y="22" height="34" '
    'class="pio-timeline__phase pio-timeline__phase--{% if s.is_guest %}guest{% else %}host'
    '{% endif %}"/><text x="{{ s.left|stringformat:\'s\' }}%" y="44" dx="6" '
    'class="pio-timeline__label">{{ s.phase.number }}: {% if s.is_guest %}{% trans "guest" %}'
    '{% else %}{% trans "host" %}{% endif %}</text>{% endfor %}\n      '
    "{% if line.today_left is not None %}<line x1=\"{{ line.today_left|stringformat:'s' }}%\" "
    'x2="{{ line.today_left|stringformat:\'s\' }}%" y1="12" y2="66" '
    'class="pio-timeline__today"/><text x="{{ line.today_left|stringformat:\'s\' }}%" '
    'y="10" class="pio-timeline__today-label" text-anchor="middle">{% trans "today" %}</text>'
    "{% endif %}"
)
PHASES = Template('{% for phase in phases %}{% include "tandems/_phase.html" %}{% endfor %}')

MARKUP = "<b>&\"'"


@pytest.fixture
def made():
    t = tandem(topic=f"Thema {MARKUP}")
    first, second = t.phases.order_by("number")
    first.guest.user.name = f"Gast {MARKUP}"
    first.guest.user.save()
    first.host_organisation.short_name = f"H{MARKUP}"
    first.host_organisation.save()
    first.host_contact = UserFactory(name=f"Kontakt {MARKUP}")
    first.save()
    second.host_contact = None
    second.host_contact_name = f"Frau {MARKUP}"
    second.save()
    return t


def _phases(t):
    return list(
        HospitationPhase.objects.filter(tandem=t)
        .select_related("guest__user", "host_organisation", "host_contact")
        .order_by("number")
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_picture_and_phases_are_written_as_the_template_wrote_them(made, language):
    phases = _phases(made)
    first, second = phases
    days = [
        first.start - timedelta(days=40),
        first.start,
        first.start + timedelta(days=17),
        first.end,
        first.end + timedelta(days=1),
        second.start + timedelta(days=3),
        second.end,
        second.end + timedelta(days=9),
        timezone.localdate(),
    ]
    with translation.override(language):
        for user in (first.guest.user, second.guest.user):
            for today in days:
                line = timeline.timeline(phases, user, today=today)
                expected = PICTURE.render(Context({"line": line}))
                assert str(timeline.picture(line)) == expected, (user, today)
        expected = PHASES.render(Context({"phases": phases}))
        assert str(timeline.phase_items(phases)) == expected
    assert "&lt;b&gt;&amp;&quot;&#x27;" in expected
    assert "Frau" in expected and "Kontakt" in expected
    second.host_contact_name = ""
    with translation.override(language):
        expected = PHASES.render(Context({"phases": [second]}))
        assert str(timeline.phase_items([second])) == expected
        assert "(" not in expected.split("·")[0].split(";")[1]


DATED = Template(
    "{% load i18n %}"
    "{% for row in rows %}\n"
    '        {% if forloop.counter0 == today_at %}<li class="pio-dates__today"><strong>'
    '{% blocktrans with date=today|date:"DATE_FORMAT" %}Today, {{ date }}{% endblocktrans %}'
    "</strong></li>{% endif %}\n"
    '        <li value="{{ forloop.counter }}"{% if row.past %} class="pio-dates__past"'
    "{% endif %}>{{ row.html }}</li>\n"
    "      {% endfor %}\n"
    '      {% if today_at == rows|length %}<li class="pio-dates__today"><strong>'
    '{% blocktrans with date=today|date:"DATE_FORMAT" %}Today, {{ date }}{% endblocktrans %}'
    "</strong></li>{% endif %}"
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_dated_list_is_written_as_the_template_wrote_it(made, language):
    from pioneer.hooks import PersonalDate
    from tandems.rows import dated_rows

    start = timezone.localdate()
    dates = [
        PersonalDate(
            uid=f"d{n}@test",
            title=f"Termin {n} {MARKUP}",
            start=start + timedelta(days=10 * n),
            end=start + timedelta(days=10 * n + (3 if n % 2 else 0)),
            kind=("phase", "milestone", "event")[n % 3],
            done=n == 1,
            cancelled=n == 4,
        )
        for n in range(-2, 5)
    ]
    with translation.override(language):
        for today in (
            start - timedelta(days=100),
            start - timedelta(days=5),
            start,
            start + timedelta(days=15),
            start + timedelta(days=200),
        ):
            rows, today_at = timeline.dated_list(dates, today=today)
            dated_rows(rows)
            context = Context({"rows": rows, "today_at": today_at, "today": today})
            assert str(timeline.dated_items(rows, today_at, today)) == DATED.render(context), today
    assert 'class="pio-dates__past"' in DATED.render(context) or today_at == 0


PANEL = Template(
    "{% load i18n %}"
    "{% for entry in data.entries %}{% with t=entry.tandem %}\n"
    "        <p><strong>{% blocktrans with partner=entry.partner.user "
    "organisation=entry.partner.organisation.name %}With {{ partner }} ({{ organisation }})"
    '{% endblocktrans %}</strong> – {{ t.cohort.title }} · {% trans "Status" %}: '
    "{{ t.get_state_display }}</p>\n"
    "        {% if entry.current %}\n"
    "          <p>{% if entry.is_guest %}{% blocktrans with number=entry.current.number "
    "host=entry.current.host_organisation.name %}Phase {{ number }}: you are the guest at "
    "{{ host }}.{% endblocktrans %}{% else %}{% blocktrans with number=entry.current.number "
    "partner=entry.partner.user %}Phase {{ number }}: you host {{ partner }}.{% endblocktrans %}"
    "{% endif %}\n"
    "          {% blocktrans count days=entry.days_left %}{{ days }} day left in this phase."
    "{% plural %}{{ days }} days left in this phase.{% endblocktrans %}</p>\n"
    "        {% endif %}\n"
    '        {% if t.state == "proposed" and not entry.confirmed %}<p>{% trans "The programme '
    'office proposes this tandem: please confirm it." %}</p>{% endif %}\n'
    "      {% endwith %}{% endfor %}"
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_home_panel_is_written_as_the_template_wrote_it(made, language, rf):
    from cohorts import figures
    from pioneer.rules import roles_of
    from tandems.models import Tandem
    from tandems.signals import participant_panel

    first, second = _phases(made)
    today = timezone.localdate()
    people = (first.guest.user, second.guest.user)
    cases = [
        (today - timedelta(days=10), today + timedelta(days=1)),  # phase 1 today, 1 day left
        (today - timedelta(days=100), today - timedelta(days=50)),  # between or after
        (today + timedelta(days=5), today + timedelta(days=40)),  # before
        (today, today + timedelta(days=30)),
    ]
    written = 0
    for start, end in cases:
        HospitationPhase.objects.filter(pk=first.pk).update(start=start, end=end)
        for state, confirmed in (("proposed", None), ("proposed", today), ("running", today)):
            Tandem.objects.filter(pk=made.pk).update(
                state=state, administration_confirmed_at=confirmed
            )
            figures.changed()  # written by hand: the kept panel is read afresh
            for user in people:
                request = rf.get("/home/")
                request.user = user
                with translation.override(language):
                    panel = participant_panel(None, request=request, roles=roles_of(user))
                    expected = PANEL.render(Context({"data": panel.context}))
                    assert str(panel.context["items"]) == expected, (start, state, user)
                    assert str(timeline.panel_entries(panel.context["entries"])) == expected
                written += "days left" in expected or "Tage" in expected or "Tag " in expected
    assert written
    assert "&lt;b&gt;&amp;&quot;&#x27;" in expected
