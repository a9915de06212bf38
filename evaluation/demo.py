"""The evaluation app's part of the demo world: baseline and final surveys of the pilot and
of the running cohort, answered well enough to show reports, a comparison and the change
from baseline to final; one event feedback survey with too few answers (shown suppressed,
with the reason); the demo evaluator assigned to both cohorts.

The demo names only a few participants per cohort, but a cohort has a dozen or more
people: the answers are built directly (as `evaluation.services.response_save` stores
them), for the named participants and for unnamed ones, each with the pseudonymous code of
their person so that baseline and final link. Only the named participants have
invitations. Values come from a fixed random seed: every run builds the same answers.

Idempotent: a survey is looked up by cohort, kind and title; one that exists is left as it
is.
"""

import random
from datetime import timedelta

from django.utils import timezone

from evaluation import pseudonyms
from evaluation.models import (
    Answer,
    EvaluatorAssignment,
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
)
from evaluation.services import token_hash

T = Question.Type
QUESTIONS = [
    # key, text, type, required, choices
    ("know", "Ich kenne die Arbeitsweise der jeweils anderen Seite gut.", T.LIKERT, True, []),
    ("agile", "Ich fühle mich sicher im Umgang mit agilen Methoden.", T.LIKERT, True, []),
    (
        "network",
        "Ich habe Kontakte, die ich bei fachlichen Fragen außerhalb meiner Organisation "
        "ansprechen kann.",
        T.LIKERT,
        True,
        [],
    ),
    (
        "nps",
        "Wie wahrscheinlich ist es, dass Sie pioneer4BB einer Kollegin oder einem Kollegen "
        "empfehlen?",
        T.NPS,
        True,
        [],
    ),
    (
        "time",
        "Wie viel Ihrer Arbeitszeit können Sie für das Programm aufbringen?",
        T.SINGLE,
        True,
        ["weniger als 10 %", "10 bis 20 %", "mehr als 20 %"],
    ),
    (
        "expect",
        "Was ist Ihnen am Programm besonders wichtig?",
        T.MULTIPLE,
        False,
        ["Vernetzung", "Neue Methoden", "Perspektivwechsel", "Reflexion"],
    ),
    ("years", "Seit wie vielen Jahren arbeiten Sie in Ihrer Organisation?", T.NUMBER, False, []),
    ("text", "Was möchten Sie uns noch mitteilen?", T.TEXT, False, []),
]

TEXTS = [
    "Der Perspektivwechsel war für mich das Wichtigste.",
    "Mehr Zeit für die Vorbereitung der Hospitation wäre gut.",
    "Die kollegiale Fallberatung hat mir sehr geholfen.",
    "Die Abstimmung mit meiner Führungskraft war aufwendig.",
    "Ich nehme viele Methoden in meinen Arbeitsalltag mit.",
    "Das Netzwerk trägt über den Durchgang hinaus.",
]

# cohort key, kind, title, state, respondents (administration, external), level: how far
# the scales lean to agreement (baseline low, final higher; the running cohort a little
# better than the pilot, whose programme was still new).
SURVEYS = [
    ("pilot", Survey.Kind.BASELINE, "Auftaktbefragung", Survey.State.CLOSED, (6, 6), 2.2),
    ("pilot", Survey.Kind.FINAL, "Abschlussbefragung", Survey.State.CLOSED, (6, 5), 3.8),
    ("running", Survey.Kind.BASELINE, "Auftaktbefragung", Survey.State.CLOSED, (7, 7), 2.5),
    ("running", Survey.Kind.FINAL, "Abschlussbefragung", Survey.State.OPEN, (5, 5), 4.1),
]
EVENT = ("running", "Rückmeldung zum Design-Thinking-Workshop", 3)


def _dates(cohort, kind):
    if kind == Survey.Kind.BASELINE:
        return cohort.start_date, cohort.start_date + timedelta(days=21)
    if kind == Survey.Kind.FINAL:
        closes = cohort.end_date + timedelta(days=21)
        return cohort.end_date - timedelta(days=14), closes
    today = timezone.localdate()
    return today - timedelta(days=10), today + timedelta(days=10)


def _survey(cohort, kind, title, state):
    opens, closes = _dates(cohort, kind)
    survey, created = Survey.objects.get_or_create(
        cohort=cohort,
        kind=kind,
        title=title,
        defaults={
            "state": state,
            "opens": opens,
            "closes": max(closes, timezone.localdate() + timedelta(days=14))
            if state == Survey.State.OPEN
            else closes,
            "intro": "Vielen Dank, dass Sie sich ein paar Minuten Zeit nehmen. Die Befragung "
            "dauert etwa fünf Minuten.",
        },
    )
    if not created:
        return survey, None
    section = Section.objects.create(survey=survey, title="Ihre Einschätzung", order=1)
    questions = {}
    for order, (key, text, type_, required, choices) in enumerate(QUESTIONS, start=1):
        questions[key] = Question.objects.create(
            section=section, text=text, type=type_, required=required, order=order, choices=choices
        )
    return survey, questions


def _person_ids(world, cohort_key, side, count):
    """The named participants of this side first, then unnamed ones (a stable id)."""
    named = [
        p.user_id
        for key, p in sorted(world.items())
        if key.startswith(f"participation:{cohort_key}:") and p.side == side
    ]
    return (named + [f"demo-{cohort_key}-{side}-{i}" for i in range(count)])[:count]


def _answer(rng, questions, level, survey, person_id, side):
    response = Response.objects.create(
        survey=survey,
        pseudonym=pseudonyms.pseudonym(programme_id=survey.cohort.programme_id, user_id=person_id),
        side=side,
        submitted=True,
    )

    def likert(shift=0.0):
        return max(1, min(5, round(rng.gauss(level + shift, 0.8))))

    values = {
        "know": {"number": likert()},
        "agile": {"number": likert(-0.3 if side == "administration" else 0.6)},
        "network": {"number": likert(0.2)},
        "nps": {"number": max(0, min(10, round(rng.gauss(level * 2, 1.4))))},
        "time": {"text": rng.choice(questions["time"].choices)},
        "expect": {"choices": rng.sample(questions["expect"].choices, k=rng.randint(1, 3))},
        "years": {"number": rng.randint(1, 25)},
    }
    if rng.random() < 0.5:
        values["text"] = {"text": rng.choice(TEXTS)}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[key], **value) for key, value in values.items()
    )


def _invite(world, cohort_key, survey, answered_people):
    for key, participation in sorted(world.items()):
        if not key.startswith(f"participation:{cohort_key}:"):
            continue
        answered = participation.user_id in answered_people
        SurveyInvitation.objects.get_or_create(
            survey=survey,
            participation=participation,
            defaults={
                # A link nobody can know: the demo's invitations were "sent" long ago.
                "token_hash": token_hash(f"demo:{survey.pk}:{participation.pk}"),
                "has_answered": answered,
                "answered_on": survey.opens + timedelta(days=3) if answered else None,
            },
        )


def build(world):
    for cohort_key, kind, title, state, (admin, external), level in SURVEYS:
        cohort = world.get(f"cohort:{cohort_key}")
        if cohort is None:
            continue
        survey, questions = _survey(cohort, kind, title, state)
        if questions is None:
            continue
        rng = random.Random(f"{cohort_key}:{kind}")  # noqa: S311 (demo values, no secret)
        people = set()
        for side, count in (("administration", admin), ("external", external)):
            for person_id in _person_ids(world, cohort_key, side, count):
                _answer(rng, questions, level, survey, person_id, side)
                people.add(person_id)
        _invite(world, cohort_key, survey, people)
    cohort_key, title, count = EVENT
    cohort = world.get(f"cohort:{cohort_key}")
    if cohort is not None:
        survey, questions = _survey(cohort, Survey.Kind.EVENT, title, Survey.State.OPEN)
        if questions is not None:
            rng = random.Random("event")  # noqa: S311
            ids = _person_ids(world, cohort_key, "external", count)
            for person_id in ids:
                _answer(rng, questions, 4.0, survey, person_id, "external")
            _invite(world, cohort_key, survey, set(ids))
    evaluator = world.get("user:evaluator@mluk.example")
    if evaluator is not None:
        for cohort_key in ("pilot", "running"):
            if f"cohort:{cohort_key}" in world:
                EvaluatorAssignment.objects.get_or_create(
                    cohort=world[f"cohort:{cohort_key}"], user=evaluator
                )
    return world
