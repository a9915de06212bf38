"""Every write of the evaluation app: building and copying surveys, inviting and reminding
(through the notification ledger), answering once, assigning evaluators.

The actor is `by` (a user, or pioneer.access.SYSTEM for work without a person); services
that change a cohort's surveys check that `by` works in the office running the cohort.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import hooks as cohort_hooks
from cohorts.models import Cohort, Participation
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
from pioneer import mail
from pioneer import services as core_services
from pioneer.access import SYSTEM, actor
from pioneer.models import Role
from pioneer.rules import is_office_of, roles_of
from pioneer.validators import validate_no_control_characters

# Participations that are asked: those who take part (not nominated or withdrawn).
INVITED_STATES = (
    Participation.State.CONFIRMED,
    Participation.State.ACTIVE,
    Participation.State.COMPLETED,
)
TEXT_MAX = 5000
CHOICE_MAX = 200
NUMBER_LIMIT = 1_000_000_000


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _check_office(by, cohort):
    actor(by)  # TypeError for by=None
    if by is not SYSTEM and not is_office_of(by, cohort.programme.organisation_id):
        raise PermissionDenied


def _is_assigned_evaluator(by, cohort):
    return EvaluatorAssignment.objects.filter(cohort=cohort, user=by).exists()


def _check_builder(by, cohort):
    """The office running the cohort, or an evaluator assigned to it, builds its surveys."""
    actor(by)  # TypeError for by=None
    if by is SYSTEM or is_office_of(by, cohort.programme.organisation_id):
        return
    if not _is_assigned_evaluator(by, cohort):
        raise PermissionDenied


def structure_lock_reason(survey, *, has_responses):
    """Why the survey's questions cannot change now (a translated text), or "".

    Once anybody has answered (a draft counts: its answers point at the questions), a
    changed, moved or deleted question would mix answers to different questions in one
    report, or leave answers to nothing. The structure is then locked; a copy of the
    survey can be changed freely.
    """
    if survey.state == Survey.State.CLOSED:
        return _("This survey is closed; its questions can no longer change.")
    if has_responses:
        return _(
            "This survey already has answers (drafts included), so its questions can no "
            "longer change: the report would mix answers to different questions. Make a "
            "copy of the survey to change it."
        )
    return ""


def results_changed(*, survey_id=None, section_id=None):
    """Give the survey (named by its id or one of its sections) a new `results_state`, so
    that no cached report or comparison of its former structure is used again. Called
    when sections or questions change (`evaluation.signals`, `building._renumber`); a
    submitted answer changes the count of submitted responses, also part of the key."""
    surveys = (
        Survey.objects.filter(pk=survey_id)
        if survey_id
        else Survey.objects.filter(sections=section_id)
    )
    surveys.update(results_state=uuid.uuid4())


def lock_structure(survey):
    """Take the survey's row for a change of its structure, and refuse when answers
    exist. The row lock (FOR UPDATE) waits for every respondent saving at this moment
    (they hold it FOR SHARE, see `response_save`), so no answer can slip in between the
    check and the change. Call inside a transaction."""
    Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk").first()
    survey.refresh_from_db(fields=["state"])
    reason = structure_lock_reason(
        survey, has_responses=Response.objects.filter(survey=survey).exists()
    )
    if reason:
        raise ValidationError(reason)


# --- building ---------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *, cohort, kind, title, by, intro="", opens=None, closes=None, audience=Survey.Audience.ALL
):
    """A draft survey of `cohort`. No e-mails."""
    _check_builder(by, cohort)
    if opens and closes and closes < opens:
        raise ValidationError({"closes": _("The survey cannot close before it opens.")})
    survey = Survey(
        cohort=cohort,
        kind=kind,
        title=title.strip(),
        intro=intro,
        opens=opens,
        closes=closes,
        audience=audience,
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def section_add(*, survey, title, by):
    _check_builder(by, survey.cohort)
    lock_structure(survey)
    order = survey.sections.count() + 1
    return Section.objects.create(survey=survey, title=title.strip(), order=order)


@transaction.atomic
def question_add(*, section, text, type, by, required=True, choices=()):
    """A question at the end of `section`. Choice questions need at least two distinct
    options."""
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    choices = clean_choices(type, choices)
    order = section.questions.count() + 1
    question = Question(
        section=section,
        text=text.strip(),
        type=type,
        required=required,
        order=order,
        choices=choices,
    )
    question.full_clean()
    question.save()
    return question


def clean_choices(type, choices):
    """The options of a choice question (at least two, all different), or [] for the
    other types. Raises ValidationError on the field "choices"."""
    choices = [c.strip() for c in choices if c and c.strip()]
    if type not in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        return []
    if len(choices) < 2 or len(set(choices)) != len(choices):
        raise ValidationError({"choices": _("Give at least two different options, one a line.")})
    for choice in choices:
        validate_no_control_characters(choice)
        if len(choice) > CHOICE_MAX:
            raise ValidationError(
                {"choices": _("Keep each option to %(max)s characters.") % {"max": CHOICE_MAX}}
            )
    return choices


def _check_reader(by, cohort):
    """The office running the cohort, or an evaluator assigned to it, reads its surveys."""
    actor(by)
    if by is SYSTEM or is_office_of(by, cohort.programme.organisation_id):
        return
    if not _is_assigned_evaluator(by, cohort):
        raise PermissionDenied


def _copy_into(survey, cohort, shift, title=None):
    copy = Survey.objects.create(
        cohort=cohort,
        kind=survey.kind,
        title=title or survey.title,
        intro=survey.intro,
        opens=survey.opens + shift if survey.opens else None,
        closes=survey.closes + shift if survey.closes else None,
        audience=survey.audience,
        copied_from=survey,
    )
    sections = list(survey.sections.all())
    questions = list(Question.objects.filter(section__survey=survey))
    for section in sections:
        new_section = Section.objects.create(survey=copy, title=section.title, order=section.order)
        Question.objects.bulk_create(
            Question(
                section=new_section,
                text=q.text,
                type=q.type,
                required=q.required,
                order=q.order,
                choices=q.choices,
            )
            for q in questions
            if q.section_id == section.pk
        )
    return copy


@transaction.atomic
def survey_copy(*, survey, cohort, by, shift=timedelta(0), title=None):
    """A draft copy of `survey` (sections and questions, no invitations or answers) in
    `cohort`, its dates moved by `shift`, so that the cohorts stay comparable. Whoever
    may read `survey` and build in `cohort` (the office, an assigned evaluator)."""
    _check_reader(by, survey.cohort)
    _check_builder(by, cohort)
    return _copy_into(survey, cohort, shift, title=title)


@transaction.atomic
def survey_set_copy(*, source, target, by, shift=timedelta(0), adopted=False):
    """Copy every survey of `source` into `target` (what `cohort_copied` carries on).

    `adopted`: `target` is another organisation's, adopting the source's programme (the
    blueprints app's adoption service checked that); then `by` need only be allowed to
    build surveys in `target`. Questions are copied, never invitations, answers or the
    evaluators assigned."""
    if not adopted:
        _check_reader(by, source)
    _check_builder(by, target)
    return [_copy_into(survey, target, shift) for survey in source.surveys.order_by("id")]


@transaction.atomic
def survey_set_state(*, survey, state, by):
    """Open or close a survey. Opening needs at least one question; a closed survey takes
    no more answers (already submitted ones stay)."""
    _check_office(by, survey.cohort)
    if state == Survey.State.OPEN and not Question.objects.filter(section__survey=survey).exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if state == Survey.State.DRAFT and survey.state != Survey.State.DRAFT:
        raise ValidationError(_("A survey that has been opened cannot become a draft again."))
    survey.state = state
    survey.save(update_fields=["state"])
    return survey


# --- inviting and reminding -------------------------------------------------------------


def respond_path(token):
    return reverse("evaluation:respond", kwargs={"token": token})


def _send_link(invitation, token, *, reminder):
    recipient = invitation.participation.user
    language = recipient.language or settings.LANGUAGE_CODE
    context = {
        "recipient": recipient,
        "survey": invitation.survey,
        "link": respond_path(token),
        "site_url": settings.SITE_URL.rstrip("/"),
        "reminder": reminder,
    }
    subject, text, html = mail.render("evaluation/email/invitation", context, language=language)
    # Rendered now: the link's token exists only now (only its hash is kept), and the
    # ledger blanks the content once the e-mail is sent.
    core_services.mail_schedule(
        kind="mail.evaluation_reminder" if reminder else "mail.evaluation_invitation",
        to=recipient.email,
        language=language,
        subject=subject,
        text=text,
        html=html,
        cause=invitation,
    )


def event_audiences(cohort):
    """The events whose attendees can be invited: [cohorts.hooks.Audience], answered by
    the companion app through `cohorts.hooks.event_audiences` (evaluation does not know
    events). Empty without a receiver."""
    return cohort_hooks.answers(cohort_hooks.event_audiences, sender=Cohort, cohort=cohort)


def _audience(survey, side, event=None):
    participations = Participation.objects.filter(
        cohort=survey.cohort, state__in=INVITED_STATES
    ).select_related("user")
    if event:
        audiences = {a.key: a for a in event_audiences(survey.cohort)}
        if event not in audiences:
            raise ValidationError(_("Choose one of the events offered."))
        participations = participations.filter(pk__in=audiences[event].participations)
    side = side or (survey.audience if survey.audience != Survey.Audience.ALL else None)
    if side:
        participations = participations.filter(side=side)
    return participations.order_by("pk")


@transaction.atomic
def survey_invite(*, survey, by, side=None, event=None):
    """Invite the cohort's participants (all, one `side`, or the attendees of one
    `event`, a key of `event_audiences`) who are not invited yet, each with a personal
    link by e-mail through the ledger. Opens a draft survey. Returns the number of new
    invitations; a second call invites only those added since."""
    _check_office(by, survey.cohort)
    if survey.state == Survey.State.CLOSED:
        raise ValidationError(_("This survey is closed; nobody can be invited any more."))
    if survey.state == Survey.State.DRAFT:
        survey_set_state(survey=survey, state=Survey.State.OPEN, by=by)
    audience = _audience(survey, side, event)
    invited = set(survey.invitations.values_list("participation_id", flat=True))
    count = 0
    for participation in audience:
        if participation.pk in invited:
            continue
        token = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                invitation = SurveyInvitation.objects.create(
                    survey=survey, participation=participation, token_hash=token_hash(token)
                )
        except IntegrityError:  # invited by a concurrent call a moment ago
            continue
        _send_link(invitation, token, reminder=False)
        count += 1
    return count


@transaction.atomic
def survey_remind(*, survey, by, today=None):
    """Remind those who have not answered, at most once a day, with a new personal link
    (only the hash of a link is kept, so the old one is replaced). Returns how many."""
    _check_office(by, survey.cohort)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can send reminders."))
    today = today or timezone.localdate()
    pending = (
        SurveyInvitation.objects.select_for_update()
        .filter(survey=survey, has_answered=False)
        .exclude(reminded_on=today)
        .select_related("participation__user", "survey__cohort")
    )
    count = 0
    for invitation in pending:
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.reminded_on = today
        invitation.save(update_fields=["token_hash", "reminded_on"])
        _send_link(invitation, token, reminder=True)
        count += 1
    return count


# --- answering --------------------------------------------------------------------------


def parse_answer(question, raw):
    """The stored values of one answer from the submitted strings (a list), or None when
    nothing was given. Raises ValidationError with a message for the respondent."""
    values = [v.strip() for v in raw if v is not None and v.strip()]
    if not values:
        return None
    for value in values:
        validate_no_control_characters(value)  # PostgreSQL stores no NUL, nobody needs them
    kind = question.type
    if kind == Question.Type.MULTIPLE:
        allowed = set(question.choices)
        if any(v not in allowed for v in values) or len(set(values)) != len(values):
            raise ValidationError(_("Choose only among the options given."))
        return {"choices": [c for c in question.choices if c in values]}
    if len(values) > 1:
        raise ValidationError(_("Give only one answer."))
    value = values[0]
    if kind == Question.Type.TEXT:
        if len(value) > TEXT_MAX:
            raise ValidationError(
                _("Please keep to %(max)s characters.") % {"max": f"{TEXT_MAX:n}"}
            )
        return {"text": value}
    if kind == Question.Type.SINGLE:
        if value not in question.choices:
            raise ValidationError(_("Choose one of the options given."))
        return {"text": value}
    try:
        number = int(value)
    except ValueError:
        raise ValidationError(_("Please enter a whole number.")) from None
    bounds = {
        Question.Type.LIKERT: (1, 5),
        Question.Type.NPS: (0, 10),
        Question.Type.NUMBER: (-NUMBER_LIMIT, NUMBER_LIMIT),
    }[kind]
    if not bounds[0] <= number <= bounds[1]:
        raise ValidationError(
            _("Please give a number from %(low)s to %(high)s.")
            % {"low": bounds[0], "high": bounds[1]}
        )
    return {"number": number}


def survey_is_open(survey, today=None):
    today = today or timezone.localdate()
    return (
        survey.state == Survey.State.OPEN
        and (survey.opens is None or survey.opens <= today)
        and (survey.closes is None or today <= survey.closes)
    )


def _already_answered():
    return ValidationError(
        _("You have already answered this survey. Each person answers once; nothing was changed.")
    )


def _share_survey(survey):
    """Hold the survey's row FOR SHARE until the transaction ends, and read its state,
    dates as they are now into `survey`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT state, opens, closes FROM evaluation_survey WHERE id = %s FOR SHARE",
                [survey.pk],
            )
            row = cursor.fetchone()
    else:  # SQLite (a local run without DATABASE_URL) writes one at a time anyway
        row = Survey.objects.filter(pk=survey.pk).values_list("state", "opens", "closes").first()
    if row is not None:
        survey.state, survey.opens, survey.closes = row


def _refuse_if_not_answerable(invitation, today):
    if not survey_is_open(invitation.survey, today):
        raise ValidationError(
            _("This survey is closed. Answers are no longer accepted; nothing was saved.")
        )
    if invitation.has_answered:
        raise _already_answered()


def response_save(*, invitation, data, finish, draft_token="", today=None):
    """Save the answers `data` ({question id: [strings]}) of the person invited.

    `finish=False` keeps a draft and returns (response, draft token) so that it can be
    finished later (the token is kept in the respondent's session or link; only its
    hash is stored). `finish=True` checks required questions, submits, and sets the
    invitation's has_answered with a conditional UPDATE in the same transaction: of two
    submits at the same moment exactly one counts, the other is refused and changes
    nothing. Raises ValidationError: a dict {question id: message} for bad answers, or a
    message when the survey is closed or already answered. No e-mails.
    """
    today = today or timezone.localdate()
    survey = invitation.survey
    _refuse_if_not_answerable(invitation, today)
    with transaction.atomic():
        # The survey's row FOR SHARE: respondents do not wait for each other, but a change
        # of the structure (`lock_structure`, FOR UPDATE) waits until this answer is
        # saved, and this answer waits until such a change is done and is then checked
        # against the questions as they are now. Closing meanwhile is seen here too.
        _share_survey(survey)
        _refuse_if_not_answerable(invitation, today)
        questions = list(Question.objects.filter(section__survey=survey))
        parsed, errors = {}, {}
        for question in questions:
            try:
                value = parse_answer(question, data.get(question.pk, []))
            except ValidationError as error:
                errors[str(question.pk)] = error.messages
                continue
            if value is None and finish and question.required:
                errors[str(question.pk)] = [_("Please answer this question.")]
            elif value is not None:
                parsed[question.pk] = value
        if errors:
            raise ValidationError(errors)
        code = pseudonyms.pseudonym(
            programme_id=survey.cohort.programme_id, user_id=invitation.participation.user_id
        )
        if finish:
            # The claim: one UPDATE, conditional on nobody having answered; a concurrent
            # submit waits on the row lock, then finds it answered and changes nothing.
            claimed = SurveyInvitation.objects.filter(pk=invitation.pk, has_answered=False).update(
                has_answered=True, answered_on=today
            )
            if not claimed:
                raise _already_answered()
        # A draft is found by its code (computed, never stored with a person); one
        # started without the token in hand is replaced.
        response = (
            Response.objects.select_for_update().filter(survey=survey, pseudonym=code).first()
        )
        if response is not None and response.submitted:
            raise _already_answered()
        if response is None:
            response = Response.objects.create(
                survey=survey, pseudonym=code, side=invitation.participation.side
            )
        else:
            response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, question_id=question_id, **value)
            for question_id, value in parsed.items()
        )
        new_token = ""
        if finish:
            response.submitted = True
            response.draft_token_hash = ""
        else:
            new_token = draft_token or secrets.token_urlsafe(24)
            response.draft_token_hash = token_hash(new_token)
        response.save(update_fields=["submitted", "draft_token_hash"])
    invitation.has_answered = invitation.has_answered or finish
    return response, new_token


def draft_answers(*, invitation, draft_token):
    """The saved draft's answers {question id: [strings]} for the holder of its token."""
    if not draft_token:
        return {}
    response = Response.objects.filter(
        survey=invitation.survey, draft_token_hash=token_hash(draft_token), submitted=False
    ).first()
    if response is None:
        return {}
    found = {}
    for answer in response.answers.all():
        if answer.choices:
            found[answer.question_id] = [str(c) for c in answer.choices]
        elif answer.number is not None:
            found[answer.question_id] = [str(answer.number)]
        else:
            found[answer.question_id] = [answer.text]
    return found


# --- evaluators -------------------------------------------------------------------------


@transaction.atomic
def evaluator_assign(*, cohort, user, by):
    """Let an evaluator read the surveys and reports of `cohort` (no contact data)."""
    _check_office(by, cohort)
    if not roles_of(user).has(Role.Kind.EVALUATOR):
        raise ValidationError({"user": _("Only a person with the evaluator role can be assigned.")})
    assignment, _created = EvaluatorAssignment.objects.get_or_create(
        cohort=cohort, user=user, defaults={"assigned_by": actor(by)}
    )
    return assignment
