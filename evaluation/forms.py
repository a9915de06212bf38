"""Forms of the evaluation app: parsing and layout only (the services change things)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from cohorts.models import Participation
from evaluation.models import Question, Survey
from pioneer.validators import SafeForm


class SurveyForm(SafeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(label=_("Who is asked"), choices=Survey.Audience.choices)
    opens = forms.DateField(label=_("Opens on"), required=False, widget=DateInput())
    closes = forms.DateField(label=_("Closes on"), required=False, widget=DateInput())


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
    event = forms.ChoiceField(
        label=_("Only the attendees of an event"),
        required=False,
        help_text=_("For event feedback: only those who attended the event are invited."),
    )

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [
            ("", _("No, not limited to an event")),
            *((a.key, a.label) for a in events),
        ]
        if not events:
            del self.fields["event"]


class SurveyCopyForm(SafeForm):
    """One survey of an earlier cohort, copied as a draft into this one."""

    survey = forms.TypedChoiceField(label=_("Survey to copy"), coerce=int)

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [
            (s.pk, f"{s.cohort.title}: {s.title} ({s.get_kind_display()})") for s in surveys
        ]


class MoveForm(SafeForm):
    direction = forms.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])


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


class CompareForm(SafeForm):
    """Which of the programme's other cohorts to set beside this survey (GET)."""

    surveys = forms.TypedMultipleChoiceField(
        label=_("Cohorts to compare with"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to %(limit)s cohorts at once; without a choice, the pilot and the latest."),
    )

    def __init__(self, *args, others, limit, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        field = self.fields["surveys"]
        field.choices = [(s.pk, s.cohort.title) for s in others]
        field.help_text = field.help_text % {"limit": limit}

    def clean_surveys(self):
        chosen = self.cleaned_data["surveys"]
        if len(chosen) > self.limit:
            raise forms.ValidationError(
                _("Choose at most %(limit)s cohorts to compare with."),
                code="too_many",
                params={"limit": self.limit},
            )
        return chosen
