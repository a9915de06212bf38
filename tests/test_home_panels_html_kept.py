"""The home panels kept already rendered (pioneer.hooks.kept_panel, under cohorts.figures'
change token): the page as the panels' templates wrote it when each was included in the
home (the reference here), in German and English, with names that need escaping; and a
change of everything a kept panel shows (each model it reads, the day, the language) on
the next visit."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

import cohorts.signals
from cohorts.models import Cohort, InterestRegistration
from pioneer.hooks import Panel
from pioneer.models import Organisation, Role
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
    external_participation,
)
from tests.factories.core import (
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    link_partner,
    office_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

MARKUP = "<&\"'"
KEPT = {
    "office": {"cohorts.office_cohorts", "cohorts.office_registrations"},
    "partner": {
        "cohorts.partner_registrations",
        "cohorts.partner_people",
        "cohorts.partner_office",
    },
    "participant": {"cohorts.participant_cohorts"},
    "evaluator": {"cohorts.evaluator_cohorts"},
}


@pytest.fixture
def world():
    """An office with cohorts in every state the panels tell apart (one past its start
    while still open), registrations waiting and decided, a partner company it linked
    with its people and registrations, a participant and an evaluator of the office."""
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name=f"Ministerium {MARKUP}")
    programme = ProgrammeFactory(organisation=ministry, name=f"Programm {MARKUP}")
    today = timezone.localdate()
    open_one = CohortFactory(
        programme=programme,
        title=f"Offen {MARKUP}",
        state=Cohort.State.OPEN,
        interest_opens=today - timedelta(days=5),
        interest_closes=today + timedelta(days=5),
        start_date=today + timedelta(days=10),
        end_date=today + timedelta(days=100),
    )
    running = CohortFactory(programme=programme, title=f"Laufend {MARKUP}")
    evaluated = CohortFactory(
        programme=programme, title=f"Bewertet {MARKUP}", state=Cohort.State.EVALUATION
    )
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY, name=f"Firma {MARKUP}")
    link_partner(ministry, company)
    for state in InterestRegistration.State.values[:4]:
        InterestRegistrationFactory(
            cohort=open_one,
            organisation=company,
            organisation_name=f"Anmeldung {state} {MARKUP}",
            state=state,
        )
    for n in range(3):
        external_participation(
            running, organisation=company, user=UserFactory(name=f"Person {n} {MARKUP}")
        )
    participant = UserFactory(name=f"Teilnehmerin {MARKUP}")
    RoleFactory(user=participant, kind=Role.Kind.PARTICIPANT)
    ParticipationFactory(cohort=running, user=participant, role=False)
    ParticipationFactory(cohort=evaluated, user=participant, role=False)
    evaluator = UserFactory()
    RoleFactory(user=evaluator, kind=Role.Kind.EVALUATOR, organisation=ministry)
    return {
        "office": office_user(ministry, email="buero@example.org"),
        "partner": partner_user(company),
        "participant": participant,
        "evaluator": evaluator,
        "ministry": ministry,
        "programme": programme,
        "company": company,
        "open": open_one,
        "running": running,
        "evaluated": evaluated,
    }


def _home(client, language="de"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/home/")
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return response, html


def _included(key, template, facts, context, order=100, seconds=None):
    """The panel as it was before it was kept: home.html includes its template."""
    data = context()
    return None if data is None else Panel(key, template, data, order)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("role", sorted(KEPT))
def test_a_kept_panel_is_the_panel_its_template_wrote(client, world, monkeypatch, role, language):
    client.force_login(world[role])
    with monkeypatch.context() as patch:
        patch.setattr(cohorts.signals, "kept_panel", _included)
        reference, expected = _home(client, language)
    assert {p.key for p in reference.context["panels"]} >= KEPT[role]
    first, html = _home(client, language)  # rendered and kept
    assert html == expected
    kept, html = _home(client, language)  # as kept
    assert html == expected
    panels = {p.key: p for p in kept.context["panels"]}
    assert all(panels[key].html and panels[key].context == {} for key in KEPT[role])
    assert "&lt;&amp;&quot;&#x27;" in html and MARKUP not in html


def test_the_panels_are_kept_per_language(client, world):
    client.force_login(world["office"])
    _response, german = _home(client, "de")
    _response, english = _home(client, "en")
    assert "Ihre laufenden Durchgänge" in german or "Your active cohorts" not in german
    assert "Your active cohorts" in english and german != english


def test_the_office_panels_show_each_change_on_the_next_visit(client, world, monkeypatch):
    client.force_login(world["office"])
    _home(client)
    CohortFactory(
        programme=world["programme"],
        title="Neu <b>",
        state=Cohort.State.MATCHING,
        start_date=world["open"].start_date + timedelta(days=5),
        end_date=world["open"].end_date,
    )
    _response, html = _home(client)
    assert "Neu &lt;b&gt;" in html
    world["running"].title = "Umbenannt"
    world["running"].save()
    _response, html = _home(client)
    assert "Umbenannt" in html
    assert "1 bestätigte Interessensbekundung zu prüfen" in html
    InterestRegistrationFactory(cohort=world["open"], state=InterestRegistration.State.CONFIRMED)
    _response, html = _home(client)
    assert "2 bestätigte Interessensbekundungen zu prüfen" in html
    # The day: the open cohort's start passes while it is still open.
    overdue = "Das Startdatum ist überschritten"
    assert overdue not in html
    later = world["open"].start_date + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    _response, html = _home(client)
    assert overdue in html


def test_the_partner_panels_show_each_change_on_the_next_visit(client, world):
    client.force_login(world["partner"])
    _home(client)
    made = InterestRegistrationFactory(cohort=world["open"], organisation=world["company"])
    _response, html = _home(client)
    assert f'href="/registrations/{made.pk}/"' in html
    added = external_participation(
        world["running"], organisation=world["company"], user=UserFactory(name="Aaron Neu")
    )
    _response, html = _home(client)
    assert "Aaron Neu" in html
    added.user.name = "Aaron Umbenannt"
    added.user.save()
    _response, html = _home(client)
    assert "Aaron Umbenannt" in html
    # A new member of the office (a role) and a new office that linked the company.
    member = office_user(world["ministry"], email="neu@example.org")
    _response, html = _home(client)
    assert "mailto:neu@example.org" in html
    Role.objects.filter(user=member).delete()
    _response, html = _home(client)
    assert "mailto:neu@example.org" not in html
    other = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Zweites Ministerium")
    office_user(other, email="zwei@example.org")
    _response, html = _home(client)
    assert "Zweites Ministerium" not in html
    link_partner(other, world["company"])
    _response, html = _home(client)
    assert "Zweites Ministerium" in html


def test_the_participant_panel_shows_each_change_on_the_next_visit(client, world):
    client.force_login(world["participant"])
    _home(client)
    world["evaluated"].title = "Umbenannter Durchgang"
    world["evaluated"].save()
    _response, html = _home(client)
    assert "Umbenannter Durchgang" in html
    ParticipationFactory(
        cohort=CohortFactory(
            title="Dritter Durchgang", start_date=date(2024, 4, 1), end_date=date(2024, 9, 1)
        ),
        user=world["participant"],
        role=False,
    )
    _response, html = _home(client)
    assert "Dritter Durchgang" in html


def test_the_evaluator_panel_shows_each_change_on_the_next_visit(client, world):
    client.force_login(world["evaluator"])
    response, html = _home(client)
    assert "Bewertet" in html
    world["evaluated"].state = Cohort.State.RUNNING
    world["evaluated"].save()
    response, html = _home(client)
    assert "cohorts.evaluator_cohorts" not in {p.key for p in response.context["panels"]}
    world["running"].state = Cohort.State.EVALUATION
    world["running"].save()
    response, html = _home(client)
    assert "Laufend" in html and "Bewertet" not in html


@pytest.mark.parametrize("role", sorted(KEPT))
def test_kept_panels_last_no_longer_than_the_counts_under_the_token(client, world, role):
    """What no signal reports (rows written by hand) shows after figures.SECONDS at most,
    as for the counts kept under the same token."""
    from django.core.cache import cache

    from cohorts import figures

    client.force_login(world[role])
    kept = []
    set_ = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith("fragment:panel:"):
            kept.append(timeout)
        return set_(key, value, timeout, **kwargs)

    cache.set = recording_set
    try:
        _home(client)
    finally:
        cache.set = set_
    assert kept and set(kept) == {figures.SECONDS}


def test_the_tandem_panel_is_kept_as_written_and_shows_each_change(client, monkeypatch):
    import tandems.signals
    from tandems.models import Tandem
    from tests.factories.tandems import tandem

    made = tandem(topic=f"Thema {MARKUP}")
    partner = made.external.user
    partner.name = f"Partnerin {MARKUP}"
    partner.save()
    client.force_login(made.administration.user)
    for language in ("de", "en"):
        with monkeypatch.context() as patch:
            patch.setattr(tandems.signals, "kept_panel", _included)
            reference, expected = _home(client, language)
        assert "tandems.mine" in {p.key for p in reference.context["panels"]}
        assert _home(client, language)[1] == expected  # rendered and kept
        kept, html = _home(client, language)  # as kept
        assert html == expected and "Partnerin &lt;&amp;&quot;&#x27;" in html
        assert {p.key: p for p in kept.context["panels"]}["tandems.mine"].context == {}
    partner.name = "Umbenannt"
    partner.save()
    _response, html = _home(client)
    assert "Umbenannt" in html
    # In the first phase from today on, then a day later: the days left change.
    today = timezone.localdate()
    first = made.phases.get(number=1)
    first.start, first.end = today, today + timedelta(days=9)
    first.save()
    _response, html = _home(client)
    later = today + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    _response, next_day = _home(client)
    assert next_day != html
    made.state = Tandem.State.AGREED
    made.save()
    _response, agreed = _home(client)
    assert agreed != next_day


def test_the_evaluators_surveys_panel_is_kept_as_written_and_shows_each_change(
    client, world, monkeypatch
):
    import evaluation.signals
    from evaluation.models import EvaluatorAssignment
    from tests.factories.evaluation import SurveyFactory

    evaluator = world["evaluator"]
    EvaluatorAssignment.objects.create(cohort=world["evaluated"], user=evaluator)
    survey = SurveyFactory(cohort=world["evaluated"], title=f"Umfrage {MARKUP}")
    client.force_login(evaluator)
    for language in ("de", "en"):
        with monkeypatch.context() as patch:
            patch.setattr(evaluation.signals, "kept_panel", _included)
            reference, expected = _home(client, language)
        assert "evaluation.assigned_surveys" in {p.key for p in reference.context["panels"]}
        assert _home(client, language)[1] == expected  # rendered and kept
        kept, html = _home(client, language)  # as kept
        assert html == expected and "Umfrage &lt;&amp;&quot;&#x27;" in html
        panels = {p.key: p for p in kept.context["panels"]}
        assert panels["evaluation.assigned_surveys"].context == {}
    survey.title = "Umbenannte Umfrage"
    survey.save()
    assert "Umbenannte Umfrage" in _home(client)[1]
    assigned = EvaluatorAssignment.objects.create(cohort=world["running"], user=evaluator)
    assert "Laufend" in _home(client)[1].split("Umfragen")[-1]
    assigned.delete()
    survey.delete()
    assert "Umbenannte Umfrage" not in _home(client)[1]
