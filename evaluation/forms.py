"""Forms of the evaluation app: parsing and layout only (the services change things)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.models import Participation
from evaluation.models import Question, Survey
from pioneer.validators import SafeForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(SafeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(label=_("Who is asked"), choices=Survey.Audience.choices)
    opens = forms.DateField(label=_("Opens on"), required=False, widget=DATE)
    closes = forms.DateField(label=_("Closes on"), required=False, widget=DATE)


class SectionForm(SafeForm):
    title = forms.CharField(label=_("Title of the section"), max_length=200)


class QuestionForm(SafeForm):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    text = forms.CharField(label=_("Question"), max_length=500)
    type = forms.ChoiceField(label=_("Type"), choices=Question.Type.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For single and multiple choice: one option a line."),
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]


class InviteForm(SafeForm):
    side = forms.ChoiceField(
        label=_("Invite"),
        required=False,
        choices=[("", _("Everyone the survey is for")), *Participation.Side.choices],
    )


class CopyForm(SafeForm):
    source = forms.TypedChoiceField(label=_("Survey set of the cohort"), coerce=int)

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(c.pk, str(c)) for c in cohorts]


class EvaluatorForm(SafeForm):
    user = forms.ModelChoiceField(label=_("Evaluator"), queryset=None)

    def __init__(self, *args, evaluators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = evaluators
