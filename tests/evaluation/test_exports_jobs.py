"""The evaluation's jobs: the answers as XLSX and the report as a tagged PDF, read back
with openpyxl and pypdf; the same suppression as the CSV (small groups, and groups whose
complement is small, never leak); who may start them and download them."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation import jobs as evaluation_jobs
from evaluation.models import EvaluatorAssignment, Question
from pioneer import jobs
from pioneer.models import Job
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory
from tests.factories.core import evaluator_user, office_user, participant_user, partner_user
from tests.factories.evaluation import answer_directly, survey_with_questions

pytestmark = pytest.mark.django_db

# Eight answers: six on the administration side, two on the external side. Each side's
# figure would reveal the two (directly, or as the total minus six): neither is shown.
LIKERTS = [1, 2, 4, 4, 5, 5, 3, 3]
SIDES = ["administration"] * 6 + ["external"] * 2
# Only three answered the recommendation question: its column and chart are withheld.
NPS_SECRET = 7


def fill(survey, questions):
    for i, likert in enumerate(LIKERTS):
        values = {
            questions[Question.Type.LIKERT]: {"number": likert},
            questions[Question.Type.TEXT]: {"text": f"Freitext {i}"},
            questions[Question.Type.SINGLE]: {"text": "Ja" if i % 4 else "Nein"},
        }
        if i < 3:
            values[questions[Question.Type.NPS]] = {"number": NPS_SECRET}
        answer_directly(survey, i, values, side=SIDES[i])


@pytest.fixture
def world():
    cohort = CohortFactory(title="Pilot 2022")
    survey, questions = survey_with_questions(cohort=cohort, title="Abschlussbefragung")
    fill(survey, questions)
    evaluator = evaluator_user(language="en")
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    return {
        "cohort": cohort,
        "survey": survey,
        "questions": questions,
        "office": office_user(org=cohort.programme.organisation),
        "evaluator": evaluator,
        "stranger": office_user(),
        "other_evaluator": evaluator_user(),
        "participant": participant_user(),
        "partner": partner_user(),
    }


def _run(kind, survey, by, capture):
    with capture(execute=True):
        job = jobs.job_start(kind=kind, by=by, target=survey)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    return job


def _result(job):
    with jobs.result_storage().open(job.result_name, "rb") as handle:
        return handle.read()


def xlsx_rows(data):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # PDF/UA-1
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def check_xlsx(rows, questions):
    """The expected figures, and no suppressed group, in an XLSX of the world's survey."""
    header = rows[0]
    assert header[0] == "code" or header[0] == "Code"
    assert len(header) == 1 + len(questions)  # no side column: a side would reveal two
    likert = header.index(questions[Question.Type.LIKERT].text)
    nps = header.index(questions[Question.Type.NPS].text)
    body = rows[1:]
    assert len(body) == len(LIKERTS)
    assert sorted(int(row[likert]) for row in body) == sorted(LIKERTS)
    assert {row[nps] for row in body} <= {None, ""}  # three answers: withheld
    assert not any(side in str(cell) for row in body for cell in row for side in SIDES)
    codes = [row[0] for row in body]
    assert codes == sorted(codes)  # by code, never in the order given


def check_pdf(text, questions, *, texts=True):
    assert "Report: Abschlussbefragung" in text
    assert "8 answers" in text
    assert "mean 3.38" in text and "median 3.5" in text  # the Likert question
    # The bar chart's data table: Likert "Agree" (4) twice, 25 %.
    assert "Agree 2 25.0 %" in text
    # The recommendation question (three answers) and both sides are withheld.
    assert "Not shown: fewer than 5 answers" in text
    assert "the difference to the total would reveal them" in text
    assert f"{NPS_SECRET} (" not in text and "3 answers" not in text
    assert "6 answers" not in text and "2 answers" not in text
    assert ("Freitext 3" in text) is texts


def test_the_xlsx_holds_the_csvs_rows_and_withholds_the_small_groups(
    world, django_capture_on_commit_callbacks
):
    job = _run(
        evaluation_jobs.XLSX_KIND,
        world["survey"],
        world["evaluator"],
        django_capture_on_commit_callbacks,
    )
    assert job.result_filename.endswith(".xlsx") and "pilot-2022" in job.result_filename
    check_xlsx(xlsx_rows(_result(job)), world["questions"])


def test_a_survey_below_the_threshold_exports_only_the_reason(
    world, django_capture_on_commit_callbacks
):
    survey, questions = survey_with_questions(cohort=world["cohort"])
    for i in range(4):
        answer_directly(survey, i, {questions[Question.Type.LIKERT]: {"number": 5}})
    job = _run(
        evaluation_jobs.XLSX_KIND, survey, world["evaluator"], django_capture_on_commit_callbacks
    )
    rows = xlsx_rows(_result(job))
    assert len(rows) == 2 and "fewer than 5" in rows[1][0]


def test_a_formula_in_an_answer_stays_text(world, django_capture_on_commit_callbacks):
    survey, questions = survey_with_questions(cohort=world["cohort"])
    for i in range(5):
        answer_directly(
            survey,
            100 + i,
            {
                questions[Question.Type.LIKERT]: {"number": 3},
                questions[Question.Type.TEXT]: {"text": '=HYPERLINK("x")\x07'},
            },
        )
    job = _run(
        evaluation_jobs.XLSX_KIND, survey, world["evaluator"], django_capture_on_commit_callbacks
    )
    workbook = load_workbook(io.BytesIO(_result(job)))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value]
    texts = [c for c in cells if str(c.value).startswith("=")]
    assert texts and all(c.data_type == "s" for c in texts)
    assert all("\x07" not in str(c.value) for c in cells)


def test_the_pdf_report_is_tagged_with_charts_and_tables_in_the_viewers_language(
    world, django_capture_on_commit_callbacks
):
    job = _run(
        evaluation_jobs.PDF_KIND,
        world["survey"],
        world["evaluator"],
        django_capture_on_commit_callbacks,
    )
    assert job.result_filename.endswith(".pdf")
    check_pdf(pdf_text(_result(job)), world["questions"])


def test_the_pdf_speaks_german_to_a_german_reader(world, django_capture_on_commit_callbacks):
    world["office"].language = "de"
    world["office"].save()
    job = _run(
        evaluation_jobs.PDF_KIND,
        world["survey"],
        world["office"],
        django_capture_on_commit_callbacks,
    )
    text = pdf_text(_result(job))
    assert "Auswertung: Abschlussbefragung" in text and "Report:" not in text


def test_the_pdf_compares_with_the_other_cohorts_and_shows_the_change(
    world, django_capture_on_commit_callbacks
):
    from evaluation.models import Survey

    survey = world["survey"]
    Survey.objects.filter(pk=survey.pk).update(kind=Survey.Kind.FINAL)
    baseline, questions = survey_with_questions(cohort=world["cohort"], title="Start")
    # The same people (codes 0..7) a point lower at the start: a change of +1.
    for i, likert in enumerate(LIKERTS):
        answer_directly(baseline, i, {questions[Question.Type.LIKERT]: {"number": likert - 1 or 1}})
    later = CohortFactory(programme=world["cohort"].programme, title="Durchgang 2")
    EvaluatorAssignment.objects.create(cohort=later, user=world["evaluator"])
    other, other_questions = survey_with_questions(cohort=later, kind=Survey.Kind.FINAL)
    for i in range(5):
        answer_directly(other, 50 + i, {other_questions[Question.Type.LIKERT]: {"number": 4}})
    survey.refresh_from_db()
    job = _run(
        evaluation_jobs.PDF_KIND, survey, world["evaluator"], django_capture_on_commit_callbacks
    )
    text = pdf_text(_result(job))
    assert "Change since the baseline" in text and "+0.88" in text
    assert "Durchgang 2" in text and "5 answers, mean 4" in text


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["export.xlsx", "report.pdf", "publish/"])
def test_starting_a_job_is_for_the_office_and_the_assigned_evaluator(world, path):
    url = f"/surveys/{world['survey'].pk}/{path}"
    for owner in (world["office"], world["evaluator"]):
        assert_access(
            url,
            owner=owner,
            stranger=world["stranger"],
            foreign_partner=world["partner"],
            foreign_partner_status=403,
            wrong_role=world["participant"],
            method="post",
            owner_status=302,
        )
    assert_access(
        url,
        owner=world["evaluator"],
        stranger=world["other_evaluator"],
        method="post",
        owner_status=302,
        check_anonymous=False,
    )


def test_the_export_starts_only_by_post(client, world):
    client.force_login(world["evaluator"])
    assert client.get(f"/surveys/{world['survey'].pk}/export.xlsx").status_code == 405
    assert client.get(f"/surveys/{world['survey'].pk}/report.pdf").status_code == 405
    assert not Job.objects.exists()


@pytest.mark.parametrize("kind", [evaluation_jobs.XLSX_KIND, evaluation_jobs.PDF_KIND])
def test_the_download_is_the_requesters_while_they_may_read_the_survey(
    client, world, kind, django_capture_on_commit_callbacks
):
    job = _run(kind, world["survey"], world["evaluator"], django_capture_on_commit_callbacks)
    download = f"/jobs/{job.public_id}/download/"
    client.force_login(world["evaluator"])
    response = client.get(download)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    for other in (world["office"], world["other_evaluator"], world["stranger"]):
        client.force_login(other)  # someone else's job does not exist for them
        assert client.get(download).status_code == 404
        assert client.get(f"/jobs/{job.public_id}/").status_code == 404
    # Unassigned from the cohort: the result is no longer theirs to read.
    EvaluatorAssignment.objects.filter(user=world["evaluator"]).delete()
    client.force_login(world["evaluator"])
    assert client.get(download).status_code == 403


def test_a_job_whose_requester_lost_access_fails_and_makes_nothing(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_start(
            kind=evaluation_jobs.XLSX_KIND, by=world["evaluator"], target=world["survey"]
        )
    EvaluatorAssignment.objects.filter(user=world["evaluator"]).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "may no longer read" in job.error
    assert not job.result_name


def test_the_report_page_offers_the_exports_and_publishing(client, world):
    client.force_login(world["evaluator"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/surveys/{world['survey'].pk}/report/").content.decode()
    pk = world["survey"].pk
    assert f'action="/surveys/{pk}/export.xlsx"' in html
    assert f'action="/surveys/{pk}/report.pdf"' in html
    assert f'href="/surveys/{pk}/publish/"' in html


def test_the_publish_page_is_for_the_office_and_the_assigned_evaluator(world):
    url = f"/surveys/{world['survey'].pk}/publish/"
    for owner in (world["office"], world["evaluator"]):
        assert_access(
            url,
            owner=owner,
            stranger=world["stranger"],
            foreign_partner=world["partner"],
            foreign_partner_status=403,
            wrong_role=world["participant"],
        )
    assert_access(
        url, owner=world["evaluator"], stranger=world["other_evaluator"], check_anonymous=False
    )


# --- publishing into the library (the evaluation's side; the library's in tests/blueprints)


@pytest.fixture
def library():
    """Stands in for the library's receiver: records what was offered, answers a URL."""
    from pioneer import hooks

    offers = []

    def receiver(sender, **kwargs):
        offers.append(kwargs)
        return f"/blueprints/offer-{len(offers)}/"

    hooks.publish_document.disconnect(dispatch_uid="blueprints.publish_document")
    hooks.publish_document.connect(receiver, dispatch_uid="test.library")
    yield offers
    hooks.publish_document.disconnect(dispatch_uid="test.library")
    from blueprints import signals

    hooks.publish_document.connect(
        signals.publish_document, dispatch_uid="blueprints.publish_document"
    )


def test_the_publish_page_says_what_will_be_public(client, world):
    client.force_login(world["evaluator"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/surveys/{world['survey'].pk}/publish/").content.decode()
    assert "What will be public" in html and "no free texts" in html
    assert "fewer than 5" in html and world["cohort"].programme.organisation.name in html
    assert "Evaluation: Abschlussbefragung (Pilot 2022)" in html
    assert not Job.objects.exists()  # looking changes nothing


def test_publishing_offers_the_aggregated_pdf_once(
    client, world, library, django_capture_on_commit_callbacks
):
    client.force_login(world["evaluator"])
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/surveys/{world['survey'].pk}/publish/")
    job = Job.objects.get()
    assert response.headers["Location"] == f"/jobs/{job.public_id}/"
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    (offer,) = library
    assert offer["category"] == "evaluation_report" and offer["by"] == world["evaluator"]
    assert offer["origin_cohort"] == world["cohort"] and offer["language"] == "en"
    assert "8 people answered" in offer["body_markdown"]
    ((name, content, content_type),) = offer["files"]
    assert name.endswith(".pdf") and content_type == "application/pdf"
    text = pdf_text(content)
    check_pdf(text, world["questions"], texts=False)  # no free texts in public
    assert job.summary["url"] == "/blueprints/offer-1/"
    page = client.get(f"/jobs/{job.public_id}/").content.decode()
    assert "/blueprints/offer-1/" in page and "reviews it" in page
    # Run again (a worker that died after the commit): nothing is offered twice.
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    jobs.job_run(job_id=job.pk)
    assert len(library) == 1


def test_without_a_library_publishing_fails_with_a_message(
    world, django_capture_on_commit_callbacks
):
    from pioneer import hooks

    hooks.publish_document.disconnect(dispatch_uid="blueprints.publish_document")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.job_start(
                kind=evaluation_jobs.PUBLISH_KIND, by=world["evaluator"], target=world["survey"]
            )
    finally:
        from blueprints import signals

        hooks.publish_document.connect(
            signals.publish_document, dispatch_uid="blueprints.publish_document"
        )
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "no document library" in job.error


# --- queries --------------------------------------------------------------------------------


def _more_answers(survey, questions):
    start = [1000]

    def make(count):
        for i in range(count):
            answer_directly(
                survey,
                start[0] + i,
                {
                    questions[Question.Type.LIKERT]: {"number": 1 + i % 5},
                    questions[Question.Type.TEXT]: {"text": f"Noch {i}"},
                },
            )
        start[0] += count

    return make


def test_the_publish_page_queries_stay_flat(client, world):
    from tests.queries import assert_flat_queries

    client.force_login(world["evaluator"])
    assert_flat_queries(
        client,
        f"/surveys/{world['survey'].pk}/publish/",
        _more_answers(world["survey"], world["questions"]),
    )


def test_the_report_with_its_export_actions_stays_flat(client, world):
    from tests.queries import assert_flat_queries

    client.force_login(world["evaluator"])
    assert_flat_queries(
        client,
        f"/surveys/{world['survey'].pk}/report/",
        _more_answers(world["survey"], world["questions"]),
    )
