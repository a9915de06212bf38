"""The evaluation app's receivers of the cohorts' and the core's plug-in points: the
surveys tab of the cohort page, the survey set carried into a copied cohort, and the
evaluator's home panel; and the survey's `results_state` renewed when its structure
changes, wherever from (builder, admin). Imported once from ready()."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from cohorts import figures
from cohorts import hooks as cohort_hooks
from evaluation import rows, selectors, services
from evaluation.models import EvaluatorAssignment, Question, Section, Survey
from pioneer import hooks
from pioneer.access import SYSTEM
from pioneer.hooks import kept_panel
from pioneer.models import Role


@receiver(cohort_hooks.cohort_tabs, dispatch_uid="evaluation.tab")
def surveys_tab(sender, cohort, request, **kwargs):
    return cohort_hooks.Tab("surveys", _("Surveys"), "evaluation:cohort_surveys", order=60)


@receiver(cohort_hooks.cohort_copied, dispatch_uid="evaluation.copy_set")
def copy_survey_set(sender, source, target, shift, by=None, adopted=False, **kwargs):
    # The cohorts service has checked who copies; the set follows the cohort. In an
    # adoption (blueprints) the source is another organisation's, which the adopting
    # service has checked may be adopted.
    services.survey_set_copy(
        source=source, target=target, shift=shift, by=by or SYSTEM, adopted=adopted
    )


# How many surveys and cohorts the evaluator's home names, the newest cohorts' first; the
# page of their cohorts has all of them.
HOME_SURVEYS = 10
HOME_COHORTS = 5


@receiver(hooks.home_panels, dispatch_uid="evaluation.home_evaluator")
def evaluator_surveys_panel(sender, request, roles, **kwargs):
    if not roles.has(Role.Kind.EVALUATOR):
        return None

    def surveys_and_cohorts():
        # Narrow rows by SQL kept per process, the items written in Python (evaluation.rows).
        surveys = selectors.home_surveys(request.user, HOME_SURVEYS + 1)
        cohorts = selectors.home_cohorts(request.user, HOME_COHORTS + 1)
        return {
            "surveys": surveys[:HOME_SURVEYS],
            "cohorts": cohorts[:HOME_COHORTS],
            "survey_items": rows.home_survey_items(surveys[:HOME_SURVEYS]),
            "cohort_items": rows.home_cohort_items(cohorts[:HOME_COHORTS]),
            "more": len(surveys) > HOME_SURVEYS or len(cohorts) > HOME_COHORTS,
        }

    # Kept rendered per person under cohorts.figures' change token, which surveys and the
    # evaluators' assignments replace too (below), as cohorts and programmes do.
    return kept_panel(
        "evaluation.assigned_surveys",
        "evaluation/panel_assigned_surveys.html",
        (figures.token(), request.user.pk),
        surveys_and_cohorts,
        order=11,
        seconds=figures.SECONDS,
    )


for _model in (Survey, EvaluatorAssignment):
    post_save.connect(
        figures.changed, sender=_model, dispatch_uid=f"evaluation.figures.{_model.__name__}.saved"
    )
    post_delete.connect(
        figures.changed,
        sender=_model,
        dispatch_uid=f"evaluation.figures.{_model.__name__}.deleted",
    )


@receiver(post_save, sender=Section, dispatch_uid="evaluation.section_saved")
@receiver(post_delete, sender=Section, dispatch_uid="evaluation.section_deleted")
def section_changed(sender, instance, **kwargs):
    services.results_changed(survey_id=instance.survey_id)


@receiver(post_save, sender=Question, dispatch_uid="evaluation.question_saved")
@receiver(post_delete, sender=Question, dispatch_uid="evaluation.question_deleted")
def question_changed(sender, instance, **kwargs):
    services.results_changed(section_id=instance.section_id)
