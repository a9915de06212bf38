"""What the tandems app adds to other pages through the plug-in signals: the cohort's
figures and attention, the close guard, people without a tandem, the participant's home."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cohorts.models import Cohort
from cohorts.selectors import cohort_dashboard
from cohorts.services import cohort_close_blockers, participation_set_state
from pioneer.access import SYSTEM
from tandems import selectors, services
from tandems.models import Tandem
from tests.factories.cohorts import CohortFactory
from tests.factories.core import office_user
from tests.factories.tandems import pair, tandem

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_figures_and_attention_on_the_cohort_page():
    cohort = CohortFactory()
    tandem(cohort)
    agreed = tandem(cohort)
    for user in (agreed.administration.user, agreed.external.user):
        services.tandem_confirm(tandem=agreed, by=user)
    pair(cohort)
    with translation.override("en"):
        dashboard = cohort_dashboard(Cohort.objects.select_related("programme").get(pk=cohort.pk))
    figure = next(f for f in dashboard["figures"] if f.key == "tandems")
    assert {row.label: row.count for row in figure.rows}["Proposed"] == 1
    assert figure.total == 2
    keys = {item.key: item.count for item in dashboard["attention"]}
    assert keys["tandems_waiting"] == 1
    assert keys["participants_without_tandem"] == 2
    html = _client(office_user(cohort.programme.organisation)).get(
        reverse("cohorts:cohort_detail", args=[cohort.pk])
    )
    assert "Tandems by status" in html.content.decode()


def test_a_cohort_with_tandems_in_a_phase_cannot_simply_close():
    cohort = CohortFactory(state=Cohort.State.EVALUATION)
    t = tandem(CohortFactory(programme=cohort.programme))
    assert cohort_close_blockers(cohort) == []
    Tandem.objects.filter(pk=t.pk).update(cohort=cohort, state=Tandem.State.PHASE_2)
    with translation.override("en"):
        assert cohort_close_blockers(cohort) == ["1 tandem has not finished its phases yet."]


def test_people_without_tandem_filter_the_participant_list():
    cohort = CohortFactory()
    t = tandem(cohort)
    free, _other = pair(cohort)
    html = _client(office_user(cohort.programme.organisation)).get(
        reverse("cohorts:participation_list", args=[cohort.pk]), {"tandem": "none"}
    )
    text = html.content.decode()
    assert str(free.user) in text
    assert str(t.administration.user) not in text


def test_the_participants_home_shows_the_tandem_and_where_they_are_today():
    today = timezone.localdate()
    start = today - timedelta(days=120)
    cohort = CohortFactory(start_date=start, end_date=start + timedelta(days=182))
    t = tandem(cohort)
    first, second = t.phases.order_by("number")
    assert first.start <= today or second.start <= today
    Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.PHASE_2)
    html = _client(t.administration.user).get("/home/").content.decode()
    current = second if second.start <= today <= second.end else first
    assert str(t.external.user) in html
    assert f"Phase {current.number}" in html
    assert "days left in this phase" in html
    assert reverse("tandems:mine") in html


def test_withdrawal_of_a_partner_frees_the_other():
    t = tandem()
    participation_set_state(
        participation=t.administration, state="withdrawn", reason="x", by=SYSTEM
    )
    free = set(selectors.people_without_tandem(t.cohort).values_list("pk", flat=True))
    assert free == {t.external.pk}


def test_the_kept_count_of_people_without_tandem_follows_every_change(
    django_capture_on_commit_callbacks,
):
    """The overview's count of people without a tandem is kept under cohorts.figures'
    change token: it is the count of the moment after a tandem is made or ended early and
    after someone joins the cohort."""
    from tests.factories.cohorts import ParticipationFactory

    cohort = Cohort.objects.select_related("programme").get(pk=CohortFactory().pk)
    first, second = pair(cohort)

    def without():
        with translation.override("en"):
            items = cohort_dashboard(cohort)["attention"]
        return {item.key: item.count for item in items}.get("participants_without_tandem", 0)

    assert without() == 2
    steps = [
        (lambda: services.tandem_create(first=first, second=second, by=SYSTEM), 0),
        (lambda: ParticipationFactory(cohort=cohort), 1),
        (
            lambda: services.tandem_end_early(
                tandem=Tandem.objects.get(administration=first), reason="Umzug", by=SYSTEM
            ),
            3,
        ),
    ]
    for step, expected in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
        cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
        assert without() == expected
