"""The evaluator's lists of their cohorts and surveys written in Python (see
`pioneer.row_html`): the same HTML the templates wrote, with the links and the words made
once per page. The page of all assigned cohorts shows up to 20 cohorts with their surveys
(60 rows and more); through the templates each cost a variable lookup, a `get_kind_display`
and a `{% url %}` per row, which made the page twice as slow with a full page as with two
cohorts."""

from django.utils.translation import gettext as _

from evaluation.models import Survey
from pioneer.row_html import esc, join, labels, url_maker

# The whitespace is the templates' own (templates/evaluation/assigned_cohorts.html and
# panel_assigned_surveys.html wrote these rows in a loop): the pages stay byte for byte.
_SECTION = (
    '\n    <section class="kern-stack-sm" aria-labelledby="cohort-{pk}">\n'
    '      <h2 class="kern-heading-small" id="cohort-{pk}">{programme}, {title}</h2>\n'
    "      {surveys}\n"
    '      <p><a class="kern-link" href="{new_url}">{new}<span class="kern-sr-only"> ({title})'
    '</span></a> · <a class="kern-link" href="{copy_url}">{copy}<span class="kern-sr-only">'
    " ({title})</span></a></p>\n"
    "    </section>\n  "
)
_SURVEYS = '\n        <ul class="kern-list">\n        {}\n        </ul>\n      '
_SURVEY = '\n          <li><a class="kern-link" href="{url}">{title}</a> ({kind})</li>\n        '
_HOME_SURVEY = (
    '\n          <li><a class="kern-link" href="{url}">{title}</a> – {programme}, {cohort}'
    " ({kind})</li>\n        "
)
_HOME_COHORT = (
    "\n          <li>{programme}, {title}: "
    '<a class="kern-link" href="{new_url}">{new}<span class="kern-sr-only"> ({title})</span></a>'
    ' · <a class="kern-link" href="{copy_url}">{copy}<span class="kern-sr-only"> ({title})'
    "</span></a></li>\n        "
)


def _kinds():
    """Survey kind -> its escaped label in the current language."""
    return labels(Survey.Kind.choices)


def _kind(kinds, kind):
    return kinds.get(kind) or esc(kind)


def assigned_sections(cohorts):
    """The sections of the page of assigned cohorts, one per cohort
    (`selectors.AssignedCohort` with its surveys), in order."""
    report = url_maker("evaluation:report")
    new_url, copy_url = url_maker("evaluation:survey_new"), url_maker("evaluation:survey_copy_from")
    new, copy = esc(_("new survey")), esc(_("copy one from an earlier cohort"))
    kinds = _kinds()
    sections = []
    for cohort in cohorts:
        surveys = ""
        if cohort.assigned_surveys:
            surveys = _SURVEYS.format(
                "".join(
                    _SURVEY.format(
                        url=esc(report(s.pk)), title=esc(s.title), kind=_kind(kinds, s.kind)
                    )
                    for s in cohort.assigned_surveys
                )
            )
        sections.append(
            _SECTION.format(
                pk=cohort.pk,
                programme=esc(cohort.programme),
                title=esc(cohort.title),
                surveys=surveys,
                new_url=esc(new_url(cohort.pk)),
                copy_url=esc(copy_url(cohort.pk)),
                new=new,
                copy=copy,
            )
        )
    return join(sections)


def home_survey_items(surveys):
    """The evaluator's home: the items of its newest surveys (`selectors.HomeSurvey`)."""
    report = url_maker("evaluation:report")
    kinds = _kinds()
    return join(
        _HOME_SURVEY.format(
            url=esc(report(s.pk)),
            title=esc(s.title),
            programme=esc(s.programme),
            cohort=esc(s.cohort),
            kind=_kind(kinds, s.kind),
        )
        for s in surveys
    )


def home_cohort_items(cohorts):
    """The evaluator's home: the items of its newest cohorts (`selectors.AssignedCohort`),
    each with the ways to build a survey."""
    new_url, copy_url = url_maker("evaluation:survey_new"), url_maker("evaluation:survey_copy_from")
    new, copy = esc(_("new survey")), esc(_("copy one from an earlier cohort"))
    return join(
        _HOME_COHORT.format(
            programme=esc(c.programme),
            title=esc(c.title),
            new_url=esc(new_url(c.pk)),
            copy_url=esc(copy_url(c.pk)),
            new=new,
            copy=copy,
        )
        for c in cohorts
    )
