"""The evaluation app's part of `seed_demo --scale N`: surveys, invitations and answers in
bulk; the big cohort's long final survey answered by all its people (2 N questions and an
eighth more, at least eight, by 20 N people: about 100,000 answers at N = 50); answers
apart from people."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from cohorts.models import Participation
from cohorts.scale import BIG_COHORT_SLUG
from evaluation import pseudonyms, reports
from evaluation.models import Answer, EvaluatorAssignment, Response, Survey, SurveyInvitation

pytestmark = pytest.mark.django_db


def test_scale_adds_survey_sets_with_answers_apart_from_people():
    call_command("seed_demo", verbosity=0)
    before = Answer.objects.count()
    call_command("seed_demo", verbosity=0, scale=2, seed=5)
    assert Answer.objects.count() > before
    big_final = Survey.objects.get(cohort__slug=BIG_COHORT_SLUG, kind=Survey.Kind.FINAL)
    people = Participation.objects.filter(cohort=big_final.cohort).exclude(state="withdrawn")
    questions = big_final.sections.aggregate(n=Count("questions"))["n"]
    assert questions == 8  # 2 N = 4 is fewer than the demo's eight
    assert Response.objects.filter(survey=big_final).count() == people.count() == 40
    # Every question but the free text answered by everyone; the text by some.
    answers = Answer.objects.filter(response__survey=big_final).count()
    assert 7 * 40 <= answers < 8 * 40
    # Invitations know only that their person answered; responses carry codes, and each
    # code is one of the cohort's people's (so baseline and final link).
    invitations = SurveyInvitation.objects.filter(survey=big_final)
    assert invitations.count() == 40 and not invitations.filter(has_answered=False).exists()
    codes = set(Response.objects.filter(survey=big_final).values_list("pseudonym", flat=True))
    assert codes == {
        pseudonyms.pseudonym(programme_id=big_final.cohort.programme_id, user_id=p.user_id)
        for p in people
    }
    baseline = Survey.objects.get(cohort__slug=BIG_COHORT_SLUG, kind=Survey.Kind.BASELINE)
    change = reports.baseline_final_change(baseline, big_final)
    assert change and all(row.pairs == 40 for row in change)
    # The demo evaluator reads the scale cohorts' reports.
    assert EvaluatorAssignment.objects.filter(
        user__email="evaluator@mluk.example", cohort=big_final.cohort
    ).exists()
    # Other surveyed scale cohorts: some of their people did not answer.
    assert SurveyInvitation.objects.filter(
        survey__cohort__slug__startswith="skala-", has_answered=False
    ).exists()
    # What `make bench` measures on it: the survey with the most answers, exported.
    from bench import jobs as bench_jobs
    from bench import pages as bench_pages

    csv_result = bench_jobs.job_survey_csv()
    xlsx_result = bench_jobs.job_survey_xlsx()
    # (At N = 2 the big cohort's baseline and final are alike; at N = 50 the final.)
    assert csv_result["answers"] == xlsx_result["answers"] >= answers
    assert csv_result["responses"] == 40 and csv_result["first_byte_s"] is not None
    assert csv_result["bytes"] > 0 and xlsx_result["bytes"] > 0
    ids = bench_pages.ids()
    assert ids["survey"] in {big_final.pk, baseline.pk}
    assert ("Survey report", "evaluator", f"/surveys/{ids['survey']}/report/") in (
        bench_pages.pages(ids)
    )
