"""The evaluation app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

Each scale cohort of pioneer4BB that has begun (running, in evaluation, closed) gets the
demo's baseline and final surveys (eight questions, one of each type and three Likert
scales), its people invited, about four in five of them answering. The big cohort gets
the baseline and a long final survey of 2 N questions and an eighth more (at least eight)
that all its 20 N people answer: at N = 50 that is 112 questions by 1,000 people, about
100,000 answers in one survey (the export `make bench` measures), 108,000 in the big
cohort's set. The demo
evaluator is assigned to the big cohort and to every surveyed scale cohort, so their
reports and the comparison across cohorts are long.

All in bulk inserts; values from the world's seeded random generator, so the same N and
seed give the same answers. Answers are made as `evaluation.services.response_save`
stores them: the person's pseudonymous code and side, no person, no time; invitations
know only whether (and on which day) their person answered.
"""

import hashlib
from datetime import timedelta

from django.utils import timezone

from cohorts.models import Cohort, Participation
from evaluation import pseudonyms
from evaluation.demo import QUESTIONS, TEXTS
from evaluation.models import (
    Answer,
    EvaluatorAssignment,
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
)
from pioneer.scale import bulk

BEGUN = [Cohort.State.RUNNING, Cohort.State.EVALUATION, Cohort.State.CLOSED]
SECTION_SIZE = 10
ANSWER_RATE = 0.8


def _surveys(world, cohort, specs):
    """Create the surveys of one cohort: specs are (kind, title, level, question count)."""
    made = []
    start = cohort.start_date or world.now.date()
    end = cohort.end_date or start + timedelta(days=180)
    for kind, title, level, count in specs:
        opens = start if kind == Survey.Kind.BASELINE else end - timedelta(days=14)
        made.append(
            (
                Survey(
                    cohort=cohort,
                    kind=kind,
                    title=title,
                    state=Survey.State.CLOSED,
                    opens=opens,
                    closes=opens + timedelta(days=21),
                ),
                level,
                count,
            )
        )
    return made


def _questions_for(count):
    """`count` question specs, the demo's eight in turn ("… (2)" from the second round)."""
    specs = []
    for i in range(count):
        key, text, type_, required, choices = QUESTIONS[i % len(QUESTIONS)]
        round_ = i // len(QUESTIONS)
        specs.append((key, f"{text} ({round_ + 1})" if round_ else text, type_, required, choices))
    return specs


def _value(rng, key, type_, choices, level, side):
    if type_ == Question.Type.LIKERT:
        shift = {"agile": -0.3 if side == "administration" else 0.6, "network": 0.2}.get(key, 0)
        return {"number": max(1, min(5, round(rng.gauss(level + shift, 0.8))))}
    if type_ == Question.Type.NPS:
        return {"number": max(0, min(10, round(rng.gauss(level * 2, 1.4))))}
    if type_ == Question.Type.SINGLE:
        return {"text": rng.choice(choices)}
    if type_ == Question.Type.MULTIPLE:
        return {"choices": rng.sample(choices, k=rng.randint(1, 3))}
    if type_ == Question.Type.NUMBER:
        return {"number": rng.randint(1, 25)}
    if rng.random() < 0.35:
        return {"text": rng.choice(TEXTS)}
    return None


def build(world):
    rng = world.rng
    big = world.extra.get("big_cohort")
    programme = world.demo.get("programme:pioneer4bb")
    if programme is None:
        return
    cohorts = list(
        Cohort.objects.filter(programme=programme, slug__startswith="skala-", state__in=BEGUN)
    )
    if big is not None:
        cohorts.append(big)
    # One question in eight is a free text that only about a third answer: 2 N and an
    # eighth more make about 100,000 answers at N = 50.
    long_count = max(len(QUESTIONS), 2 * world.n + 2 * world.n // 8)
    planned = []
    for cohort in cohorts:
        level = 2.0 + rng.random()
        final_count = long_count if big is not None and cohort.pk == big.pk else len(QUESTIONS)
        planned += _surveys(
            world,
            cohort,
            [
                (Survey.Kind.BASELINE, "Auftaktbefragung", level, len(QUESTIONS)),
                (Survey.Kind.FINAL, "Abschlussbefragung", level + 1.2, final_count),
            ],
        )
    surveys = bulk(Survey, [survey for survey, _level, _count in planned])
    sections, question_specs = [], []
    for survey, (_s, level, count) in zip(surveys, planned, strict=True):
        specs = _questions_for(count)
        for start in range(0, count, SECTION_SIZE):
            sections.append(
                Section(
                    survey=survey,
                    title=f"Teil {start // SECTION_SIZE + 1}",
                    order=start // SECTION_SIZE + 1,
                )
            )
            question_specs.append((survey, level, specs[start : start + SECTION_SIZE]))
    sections = bulk(Section, sections)
    questions, keyed = [], {}
    for section, (survey, _level, specs) in zip(sections, question_specs, strict=True):
        for order, (key, text, type_, required, choices) in enumerate(specs, start=1):
            question = Question(
                section=section,
                text=text,
                type=type_,
                required=required,
                order=order,
                choices=choices,
            )
            questions.append(question)
            keyed.setdefault(survey.pk, []).append((question, key))
    bulk(Question, questions)

    people = {}
    for participation in (
        Participation.objects.filter(cohort__in=cohorts)
        .exclude(state=Participation.State.WITHDRAWN)
        .order_by("pk")
    ):
        people.setdefault(participation.cohort_id, []).append(participation)

    invitations, answered_count = [], 0
    today = (world.now or timezone.now()).date()
    for survey, (_s, level, _count) in zip(surveys, planned, strict=True):
        members = people.get(survey.cohort_id, [])
        everyone = big is not None and survey.cohort_id == big.pk
        responses, answers = [], []
        for participation in members:
            answers_it = everyone or rng.random() < ANSWER_RATE
            invitations.append(
                SurveyInvitation(
                    survey=survey,
                    participation=participation,
                    token_hash=hashlib.sha256(
                        f"scale:{survey.pk}:{participation.pk}".encode()
                    ).hexdigest(),
                    has_answered=answers_it,
                    answered_on=min(survey.opens + timedelta(days=3), today)
                    if answers_it
                    else None,
                )
            )
            if not answers_it:
                continue
            response = Response(
                survey=survey,
                pseudonym=pseudonyms.pseudonym(
                    programme_id=programme.pk, user_id=participation.user_id
                ),
                side=participation.side,
                submitted=True,
            )
            responses.append(response)
            for question, key in keyed.get(survey.pk, []):
                value = _value(rng, key, question.type, question.choices, level, response.side)
                if value is not None:
                    answers.append(Answer(response=response, question=question, **value))
        bulk(Response, responses)
        bulk(Answer, answers)
        answered_count += len(answers)
        world.add("survey responses", len(responses))
    bulk(SurveyInvitation, invitations)

    evaluator = world.demo.get("user:evaluator@mluk.example")
    if evaluator is not None:
        bulk(
            EvaluatorAssignment,
            [EvaluatorAssignment(cohort=cohort, user=evaluator) for cohort in cohorts],
            ignore_conflicts=True,
        )
    world.add("surveys", len(surveys))
    world.add("survey questions", len(questions))
    world.add("survey invitations", len(invitations))
    world.add("survey answers", answered_count)
