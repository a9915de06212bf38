"""Who may do what in the evaluation app (django-rules predicates). Deny by default.

The office running a cohort builds and sends its surveys and reads its reports; an
evaluator assigned to the cohort reads its reports and exports (aggregated only). Nobody
may read a single person's answers: there is no rule for it because there is no path.
"""

import rules

from evaluation.models import EvaluatorAssignment
from pioneer import compiled
from pioneer.rules import is_office_of


def _cohort(obj):
    return getattr(obj, "cohort", obj)


@rules.predicate
def runs_cohort(user, obj):
    """The user's programme office runs the survey's (or cohort's) programme."""
    cohort = _cohort(obj)
    return cohort is not None and is_office_of(user, cohort.programme.organisation_id)


@rules.predicate
def is_assigned_evaluator(user, obj):
    cohort = _cohort(obj)
    # `EvaluatorAssignment.objects.filter(cohort=cohort, user=user).exists()`, its SQL
    # kept per process (pioneer.compiled).
    return (
        cohort is not None
        and user.is_authenticated
        and bool(
            compiled.values(
                "evaluation.is_assigned_evaluator",
                _assignment,
                cohort=cohort.pk,
                user=user.pk,
            )
        )
    )


def _assignment(cohort, user):
    return EvaluatorAssignment.objects.filter(cohort_id=cohort, user_id=user).values("pk")[:1]


rules.add_perm("evaluation.manage_survey", runs_cohort)
rules.add_perm("evaluation.read_report", runs_cohort | is_assigned_evaluator)
# The builder: the office and the cohort's assigned evaluators make and change surveys;
# sending invitations and reminders stays with the office (it knows the people).
rules.add_perm("evaluation.build_survey", runs_cohort | is_assigned_evaluator)
# Offering the aggregated report to the library: the library makes a draft that only the
# cohort's office can make public.
rules.add_perm("evaluation.publish_report", runs_cohort | is_assigned_evaluator)
