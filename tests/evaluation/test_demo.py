"""The demo world's evaluation: the evaluator reads the pilot's and the running cohort's
reports with a change from baseline to final, compares them, exports them, and sees the
event feedback survey suppressed with the reason. A second run changes nothing."""

import pytest
from django.core.management import call_command

from evaluation.models import Answer, Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def _login(client):
    from pioneer.models import User

    client.cookies["django_language"] = "en"
    client.force_login(User.objects.get(email="evaluator@mluk.example"))


def test_the_evaluator_reads_reports_change_and_comparison(client, demo):
    _login(client)
    home = client.get("/home/").content.decode()
    for survey in Survey.objects.filter(cohort__programme__slug="pioneer4bb").exclude(
        kind=Survey.Kind.EVENT
    ):
        assert f"/surveys/{survey.pk}/report/" in home
        report = client.get(f"/surveys/{survey.pk}/report/")
        assert report.status_code == 200
        html = report.content.decode()
        assert "<svg" in html and "No results are shown" not in html
        if survey.kind == Survey.Kind.FINAL:
            assert "Change since the baseline" in html and "Linked answers" in html
    final = Survey.objects.get(cohort__slug="durchgang-2", kind=Survey.Kind.FINAL)
    compare = client.get(f"/surveys/{final.pk}/compare/").content.decode()
    assert "Pilot" in compare and "answers, mean" in compare
    export = client.get(f"/surveys/{final.pk}/export.csv")
    assert len(b"".join(export.streaming_content).decode().splitlines()) == 11


def test_the_event_feedback_is_shown_suppressed_with_the_reason(client, demo):
    _login(client)
    event = Survey.objects.get(kind=Survey.Kind.EVENT, cohort__programme__slug="pioneer4bb")
    html = client.get(f"/surveys/{event.pk}/report/").content.decode()
    assert "No results are shown for this survey." in html and "fewer than 5" in html


def test_a_second_run_changes_nothing(demo):
    counts = (Survey.objects.count(), Response.objects.count(), Answer.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Survey.objects.count(), Response.objects.count(), Answer.objects.count()) == counts
