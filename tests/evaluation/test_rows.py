"""The evaluator's lists written in Python (`evaluation.rows`) and read as narrow rows
(`selectors.assigned_cohort_rows`, `home_surveys`, `home_cohorts`) write what their
templates wrote from the model instances: the old loops are kept here as the reference,
rendered on the same cohorts in both languages (a cohort without surveys, every kind of
survey, markup in every entered text)."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from cohorts.models import Cohort
from evaluation import rows, selectors
from evaluation.models import EvaluatorAssignment, Survey
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.core import evaluator_user
from tests.factories.evaluation import SurveyFactory

pytestmark = pytest.mark.django_db

MARKUP = '<b onmouseover="x">\'&'

PAGE = Template(
    "{% load i18n %}"
    '{% trans "new survey" as new_label %}'
    '{% trans "copy one from an earlier cohort" as copy_label %}'
    "{% for c in cohorts %}"
    """
    <section class="kern-stack-sm" aria-labelledby="cohort-{{ c.pk }}">
      <h2 class="kern-heading-small" id="cohort-{{ c.pk }}">{{ c.programme.name }}, {{ c.title }}</h2>
      {% if c.assigned_surveys %}
        <ul class="kern-list">
        {% for s in c.assigned_surveys %}
          <li><a class="kern-link" href="{% url 'evaluation:report' s.pk %}">{{ s.title }}</a> ({{ s.get_kind_display }})</li>
        {% endfor %}
        </ul>
      {% endif %}
      <p><a class="kern-link" href="{% url 'evaluation:survey_new' c.pk %}">{{ new_label }}<span class="kern-sr-only"> ({{ c.title }})</span></a> · <a class="kern-link" href="{% url 'evaluation:survey_copy_from' c.pk %}">{{ copy_label }}<span class="kern-sr-only"> ({{ c.title }})</span></a></p>
    </section>
  {% endfor %}"""  # noqa: E501
)

HOME_SURVEYS = Template(
    "{% for s in surveys %}"
    """
          <li><a class="kern-link" href="{% url 'evaluation:report' s.pk %}">{{ s.title }}</a> – {{ s.cohort.programme.name }}, {{ s.cohort.title }} ({{ s.get_kind_display }})</li>
        {% endfor %}"""  # noqa: E501
)

HOME_COHORTS = Template(
    "{% load i18n %}{% for c in cohorts %}"
    """
          <li>{{ c.programme.name }}, {{ c.title }}: <a class="kern-link" href="{% url 'evaluation:survey_new' c.pk %}">{% trans "new survey" %}<span class="kern-sr-only"> ({{ c.title }})</span></a> · <a class="kern-link" href="{% url 'evaluation:survey_copy_from' c.pk %}">{% trans "copy one from an earlier cohort" %}<span class="kern-sr-only"> ({{ c.title }})</span></a></li>
        {% endfor %}"""  # noqa: E501
)


@pytest.fixture
def evaluator():
    person = evaluator_user()
    programme = ProgrammeFactory(name=f"Programm {MARKUP}")
    for year in range(2001, 2005):
        cohort = CohortFactory(
            programme=programme,
            title=f"Durchgang {year} {MARKUP}",
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 31),
        )
        EvaluatorAssignment.objects.create(cohort=cohort, user=person)
        if year == 2002:
            continue  # a cohort without surveys
        for kind, _label in Survey.Kind.choices:
            SurveyFactory(cohort=cohort, kind=kind, title=f"{kind} {MARKUP}")
    # Someone else's, which no list of this evaluator shows.
    other = CohortFactory(start_date=date(2010, 1, 1))
    EvaluatorAssignment.objects.create(cohort=other, user=evaluator_user())
    SurveyFactory(cohort=other)
    return person


def _instances(evaluator):
    """The cohorts as the page read them before: instances, newest first, with surveys."""
    cohorts = list(
        Cohort.objects.filter(evaluators__user=evaluator)
        .select_related("programme")
        .order_by("-start_date", "-id")
    )
    for cohort in cohorts:
        cohort.assigned_surveys = list(cohort.surveys.order_by("opens", "id"))
    return cohorts


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_page_writes_what_its_template_wrote(evaluator, language):
    with translation.override(language):
        expected = PAGE.render(Context({"cohorts": _instances(evaluator)}))
        found = rows.assigned_sections(
            selectors.assigned_cohorts_with_surveys(list(selectors.assigned_cohort_rows(evaluator)))
        )
    assert str(found) == expected
    assert "&lt;b onmouseover=&quot;x&quot;&gt;&#x27;&amp;" in found
    assert selectors.assigned_cohort_count(evaluator) == 4


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_home_writes_what_its_template_wrote(evaluator, language):
    surveys = list(
        selectors.assigned_surveys(evaluator).order_by(
            "-cohort__start_date", "-cohort_id", "opens", "id"
        )[:5]
    )
    cohorts = _instances(evaluator)[:3]
    with translation.override(language):
        assert str(rows.home_survey_items(selectors.home_surveys(evaluator, 5))) == (
            HOME_SURVEYS.render(Context({"surveys": surveys}))
        )
        assert str(rows.home_cohort_items(selectors.home_cohorts(evaluator, 3))) == (
            HOME_COHORTS.render(Context({"cohorts": cohorts}))
        )


def test_the_kept_queries_read_each_evaluators_own(evaluator):
    """The home's and the count's SQL is kept per process: another evaluator's visit
    runs it with their own id."""
    assert len(selectors.home_cohorts(evaluator, 10)) == 4
    other = evaluator_user()
    assert selectors.home_cohorts(other, 10) == []
    assert selectors.home_surveys(other, 10) == []
    assert selectors.assigned_cohort_count(other) == 0
    assert len(selectors.home_surveys(evaluator, 100)) == 3 * len(Survey.Kind.choices)
