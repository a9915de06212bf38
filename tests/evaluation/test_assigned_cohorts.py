"""An evaluator's cohorts: the home names the newest few surveys and cohorts and links to
the page of all of them, which lists every assigned cohort a page at a time with its
surveys; never a cohort assigned to someone else."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation.models import EvaluatorAssignment, Survey
from evaluation.signals import HOME_COHORTS, HOME_SURVEYS
from evaluation.views import ASSIGNED_PAGE_SIZE
from tests.factories.cohorts import CohortFactory
from tests.factories.core import evaluator_user, office_user
from tests.factories.evaluation import SurveyFactory
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator():
    return evaluator_user()


def _assigned(evaluator, surveys_each=2, since=1950):
    made = {"year": since}

    def make(count):
        for _ in range(count):
            made["year"] += 1
            cohort = CohortFactory(
                start_date=date(made["year"], 1, 1), end_date=date(made["year"], 12, 31)
            )
            EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
            for _ in range(surveys_each):
                SurveyFactory(cohort=cohort)

    return make


def _panel(response):
    (panel,) = [p for p in response.context["panels"] if p.key == "evaluation.assigned_surveys"]
    return panel.context


def test_the_home_names_the_newest_and_links_to_all(client, evaluator):
    client.force_login(evaluator)
    _assigned(evaluator, surveys_each=1)(HOME_COHORTS)
    response = client.get(reverse("home"))
    assert not _panel(response)["more"]
    assert reverse("evaluation:assigned") not in response.content.decode()

    _assigned(evaluator, surveys_each=HOME_SURVEYS, since=2010)(1)
    response = client.get(reverse("home"))
    panel = _panel(response)
    assert panel["more"]
    assert len(panel["surveys"]) == HOME_SURVEYS
    assert len(panel["cohorts"]) == HOME_COHORTS
    newest = (
        EvaluatorAssignment.objects.filter(user=evaluator)
        .order_by("-cohort__start_date")
        .values_list("cohort_id", flat=True)[0]
    )
    assert panel["cohorts"][0].pk == newest
    assert {s.pk for s in panel["surveys"]} == set(
        Survey.objects.filter(cohort_id=newest).values_list("pk", flat=True)
    )
    assert reverse("evaluation:assigned") in response.content.decode()


def test_the_page_lists_every_assigned_cohort_with_its_surveys(client, evaluator):
    _assigned(evaluator)(ASSIGNED_PAGE_SIZE + 1)
    someone_else = CohortFactory(title="Not yours")
    EvaluatorAssignment.objects.create(cohort=someone_else, user=evaluator_user())
    SurveyFactory(cohort=someone_else, title="Not your survey")
    client.force_login(evaluator)
    url = reverse("evaluation:assigned")
    first, second = client.get(url), client.get(url, {"page": 2})
    cohorts = first.context["cohorts"] + second.context["cohorts"]
    assert len(first.context["cohorts"]) == ASSIGNED_PAGE_SIZE
    assert {c.pk for c in cohorts} == set(
        EvaluatorAssignment.objects.filter(user=evaluator).values_list("cohort_id", flat=True)
    )
    assert all(len(c.assigned_surveys) == 2 for c in cohorts)
    html = first.content.decode() + second.content.decode()
    assert reverse("evaluation:report", args=[cohorts[0].assigned_surveys[0].pk]) in html
    assert "Not yours" not in html and "Not your survey" not in html


def test_the_page_is_for_evaluators_only(client):
    url = reverse("evaluation:assigned")
    assert client.get(url).status_code == 302
    client.force_login(office_user())
    assert client.get(url).status_code == 403


def test_the_page_and_the_home_stay_flat(client, evaluator):
    client.force_login(evaluator)
    assert_flat_queries(client, reverse("evaluation:assigned"), _assigned(evaluator))
    assert_flat_queries(client, reverse("home"), _assigned(evaluator, since=2010))
