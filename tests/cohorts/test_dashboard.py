"""The cohort dashboard: stage and next step, figures with links, what needs attention,
upcoming dates, the hooks for later apps, and its query budget."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import figures, hooks
from cohorts.models import Cohort, InterestRegistration, Participation
from cohorts.selectors import cohort_dashboard
from tandems import signals as tandem_signals
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    external_participation,
)
from tests.factories.core import OrganisationFactory, office_user, participant_user, partner_user
from tests.hooks import connected, disconnected

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(state=Cohort.State.MATCHING)


def _url(cohort):
    return reverse("cohorts:cohort_detail", kwargs={"pk": cohort.pk})


def _figure(data, key):
    return next(f for f in data["figures"] if f.key == key)


def test_figures_count_registrations_and_people(cohort):
    InterestRegistrationFactory.create_batch(2, cohort=cohort)
    InterestRegistrationFactory(cohort=cohort, state=InterestRegistration.State.UNCONFIRMED)
    company = OrganisationFactory(kind="company", short_name="Firma")
    ParticipationFactory.create_batch(2, cohort=cohort)
    external_participation(cohort, organisation=company)
    ParticipationFactory(
        cohort=cohort, state=Participation.State.WITHDRAWN, withdrawn_reason="krank"
    )
    data = cohort_dashboard(cohort)
    registrations = {r.label: r.count for r in _figure(data, "registrations").rows}
    assert registrations[str(InterestRegistration.State.CONFIRMED.label)] == 2
    assert registrations[str(InterestRegistration.State.UNCONFIRMED.label)] == 1
    sides = {r.label: r.count for r in _figure(data, "participants_side").rows}
    assert sides == {
        str(Participation.Side.ADMINISTRATION.label): 2,
        str(Participation.Side.EXTERNAL.label): 1,
    }
    orgs = {r.label: r.count for r in _figure(data, "participants_organisation").rows}
    assert orgs == {str(cohort.programme.organisation): 2, "Firma": 1}
    states = {r.label: r.count for r in _figure(data, "participants_state").rows}
    assert states[str(Participation.State.WITHDRAWN.label)] == 1
    assert data["participant_count"] == 3
    # Each row links to its list, filtered.
    side_row = _figure(data, "participants_side").rows[1]
    assert side_row.url.endswith("?side=external")
    assert "state=unconfirmed" in _figure(data, "registrations").rows[0].url


def test_the_organisation_figure_names_the_largest_and_sums_up_the_rest(cohort, settings):
    from cohorts.selectors import FIGURE_ORGANISATIONS

    settings.LANGUAGE_CODE = "en"
    big = OrganisationFactory(kind="company", short_name="Groß")
    for _ in range(3):
        external_participation(cohort, organisation=big)
    for _ in range(FIGURE_ORGANISATIONS + 2):
        external_participation(cohort)
    rows = _figure(cohort_dashboard(cohort), "participants_organisation").rows
    assert len(rows) == FIGURE_ORGANISATIONS + 1
    assert (rows[0].label, rows[0].count) == ("Groß", 3)
    assert (rows[-1].label, rows[-1].count) == ("3 other organisations", 3)
    assert "organisation=" not in rows[-1].url
    assert sum(row.count for row in rows) == 3 + FIGURE_ORGANISATIONS + 2


def test_the_overviews_summary_of_the_people_is_counted_from_their_rows(cohort):
    """The overview reads a kept summary of the grouped people (`participation_summary`):
    its figures, counts and attention are what counting the rows themselves gives, with
    withdrawn people in "by state" only and names that need escaping."""
    import random

    from django.utils import timezone

    from cohorts.selectors import FIGURE_ORGANISATIONS

    rng = random.Random(8)
    organisations = [
        OrganisationFactory(kind="company", short_name="", name=f'<Amt & "{i}">')
        for i in range(FIGURE_ORGANISATIONS + 3)
    ]
    states = [value for value, _label in Participation.State.choices]
    for _ in range(40):
        state = rng.choice(states)
        person = external_participation(
            cohort,
            organisation=rng.choice(organisations),
            state=state,
            withdrawn_reason="Umzug" if state == Participation.State.WITHDRAWN else "",
        )
        if rng.random() < 0.5:
            person.user.last_login = timezone.now()
            person.user.save()
    data = cohort_dashboard(cohort)
    rows = list(Participation.objects.filter(cohort=cohort).select_related("user", "organisation"))
    live = [p for p in rows if p.state != Participation.State.WITHDRAWN]
    assert data["participant_count"] == len(live)
    by_state = {r.label: r.count for r in _figure(data, "participants_state").rows}
    assert by_state == {
        str(label): sum(1 for p in rows if p.state == value)
        for value, label in Participation.State.choices
    }
    by_side = {r.label: r.count for r in _figure(data, "participants_side").rows}
    assert by_side == {
        str(label): sum(1 for p in live if p.side == value)
        for value, label in Participation.Side.choices
    }
    counts = {}
    for p in live:
        counts[p.organisation.name] = counts.get(p.organisation.name, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    organisation_rows = _figure(data, "participants_organisation").rows
    assert [(r.label, r.count) for r in organisation_rows[:FIGURE_ORGANISATIONS]] == (
        ranked[:FIGURE_ORGANISATIONS]
    )
    rest = ranked[FIGURE_ORGANISATIONS:]
    if rest:
        assert organisation_rows[-1].count == sum(count for _name, count in rest)
    attention = {a.key: a.count for a in data["attention"]}
    nominated = sum(1 for p in live if p.state == Participation.State.NOMINATED)
    assert attention.get("participants_nominated", 0) == nominated
    never = sum(1 for p in live if p.user.last_login is None)
    assert attention.get("participants_not_signed_in", 0) == never


def test_attention_lists_registrations_to_confirm_and_to_review(cohort):
    InterestRegistrationFactory(cohort=cohort, state=InterestRegistration.State.UNCONFIRMED)
    InterestRegistrationFactory.create_batch(3, cohort=cohort)
    ParticipationFactory(cohort=cohort, state=Participation.State.NOMINATED)
    keys = {a.key: a.count for a in cohort_dashboard(cohort)["attention"]}
    assert keys["registrations_unconfirmed"] == 1
    assert keys["registrations_unreviewed"] == 3
    assert keys["participants_nominated"] == 1


def test_overdue_steps_are_named():
    today = timezone.localdate()
    cohort = CohortFactory(
        state=Cohort.State.OPEN,
        interest_opens=today - timedelta(days=60),
        interest_closes=today - timedelta(days=1),
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=100),
    )
    keys = {a.key for a in cohort_dashboard(cohort)["attention"]}
    assert {"overdue_interest_closed", "overdue_start"} <= keys
    running = CohortFactory(
        state=Cohort.State.RUNNING, start_date=date(2020, 1, 1), end_date=date(2020, 6, 30)
    )
    assert "overdue_end" in {a.key for a in cohort_dashboard(running)["attention"]}


def test_stage_next_step_and_upcoming_dates():
    today = timezone.localdate()
    cohort = CohortFactory(
        state=Cohort.State.OPEN,
        interest_opens=today - timedelta(days=10),
        interest_closes=today + timedelta(days=10),
        start_date=today + timedelta(days=40),
        end_date=today + timedelta(days=220),
    )
    data = cohort_dashboard(cohort)
    current = [s for s in data["stages"] if s.current]
    assert [s.value for s in current] == ["open"]
    assert [s.value for s in data["stages"] if s.done] == ["draft"]
    assert data["next_step"]
    assert [d.date for d in data["upcoming"]] == [cohort.interest_closes, cohort.start_date]


def test_hooks_of_later_apps_add_figures_and_people_without_tandem(cohort):
    lonely = ParticipationFactory(cohort=cohort)
    ParticipationFactory(cohort=cohort)

    def tandem_figure(cohort):
        return [hooks.Figure("tandems", "Tandems", [hooks.FigureRow("running", 4)], order=30)]

    def without_tandem(cohort):
        return Participation.objects.filter(pk=lonely.pk)

    # The tandems app's own receivers stay silent: this is the mechanism's test.
    with (
        disconnected(hooks.dashboard_figures, tandem_signals.figures, "tandems.figures"),
        disconnected(hooks.people_without_tandem, tandem_signals.without_tandem, "tandems.without"),
        connected(hooks.dashboard_figures, tandem_figure),
        connected(hooks.people_without_tandem, without_tandem),
    ):
        data = cohort_dashboard(cohort)
    assert _figure(data, "tandems").total == 4
    assert {a.key: a.count for a in data["attention"]}["participants_without_tandem"] == 1


def test_journey_programmes_ask_nobody_about_tandems():
    cohort = CohortFactory(state=Cohort.State.MATCHING, programme__format="journey")
    ParticipationFactory(cohort=cohort)
    with connected(hooks.people_without_tandem, lambda cohort: Participation.objects.all()):
        data = cohort_dashboard(cohort)
    assert "participants_without_tandem" not in {a.key for a in data["attention"]}
    assert "tandem" not in data["next_step"]


def test_page_as_owner(client, cohort):
    InterestRegistrationFactory(cohort=cohort)
    ParticipationFactory(cohort=cohort)
    client.force_login(office_user(cohort.programme.organisation))
    response = client.get(_url(cohort))
    body = response.content.decode()
    assert response.status_code == 200
    assert cohort.title in body
    assert reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk}) in body
    assert reverse("cohorts:registration_list") in body


def test_page_permissions(client, cohort):
    response = client.get(_url(cohort))
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.get(_url(cohort)).status_code == 404
    client.force_login(participant_user())
    assert client.get(_url(cohort)).status_code == 403
    client.force_login(partner_user())
    assert client.get(_url(cohort)).status_code == 403


def test_query_count_is_flat_with_many_registrations_and_people(
    client, cohort, django_assert_num_queries
):
    InterestRegistrationFactory(cohort=cohort)
    ParticipationFactory(cohort=cohort)
    client.force_login(office_user(cohort.programme.organisation))
    client.get(_url(cohort))
    # Both counted afresh (the rows written below replace the token of cohorts.figures).
    figures.changed()
    with CaptureQueriesContext(connection) as one:
        client.get(_url(cohort))
    assert len(one) <= 10
    for index in range(49):
        state = list(InterestRegistration.State)[index % 5]
        InterestRegistrationFactory(cohort=cohort, state=state)
        external_participation(cohort)
    with django_assert_num_queries(len(one)):
        assert client.get(_url(cohort)).status_code == 200
