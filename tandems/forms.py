"""Forms of the tandems app: parsing and layout only; the services decide."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from pioneer.validators import SafeForm
from tandems.models import MatchPreference, Tandem


class BoardFilter(SafeForm):
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Tandem.State.choices]
    )
    overdue = forms.BooleanField(label=_("Only with overdue milestones"), required=False)
    agreement = forms.BooleanField(
        label=_("Only with an agreement awaiting confirmation"),
        required=False,
        help_text=_(
            "The agreement of the current or next phase lacks a confirmation of its "
            "current version and has no paper signature."
        ),
    )
    q = forms.CharField(label=_("Name, organisation or topic"), required=False, max_length=100)


class EndEarlyForm(SafeForm):
    reason = forms.CharField(
        label=_("Reason for the early end"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Both people see it; they become free for another tandem."),
    )


class PhaseDatesForm(SafeForm):
    first_start = forms.DateField(label=_("Phase 1 starts"), widget=DateInput())
    first_end = forms.DateField(label=_("Phase 1 ends"), widget=DateInput())
    second_start = forms.DateField(label=_("Phase 2 starts"), widget=DateInput())
    second_end = forms.DateField(label=_("Phase 2 ends"), widget=DateInput())


class AcceptForm(SafeForm):
    """The pairs of the optimal assignment the office accepts (all, or some)."""

    pairs = forms.MultipleChoiceField(
        label=_("Accept these pairs"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "The suggestions have changed meanwhile; please look at them again."
            ),
            "required": _("Tick at least one pair to accept."),
        },
    )

    def __init__(self, *args, assignment, **kwargs):
        """`assignment`: the pairs' values ("administration id-external id")."""
        super().__init__(*args, **kwargs)
        self.fields["pairs"].choices = [(value, "") for value in assignment]


class PairForm(SafeForm):
    """Pair two people by hand."""

    # Up to a page's people each.
    administration = forms.TypedChoiceField(label=_("Administration"), coerce=int)
    external = forms.TypedChoiceField(label=_("External expert"), coerce=int)
    topic = forms.CharField(label=_("Topic or question"), required=False, max_length=300)
    external_first = forms.BooleanField(
        label=_("The external expert hospitates first"), required=False
    )

    def __init__(self, *args, administration, external, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administration"].choices = [("", "–"), *administration]
        self.fields["external"].choices = [("", "–"), *external]


class PreferencesForm(SafeForm):
    """One choice per anonymised profile: like, no preference, or not with this person."""

    CHOICES = [
        ("", _("No preference")),
        (MatchPreference.Kind.LIKE, _("I would like to be paired")),
        (MatchPreference.Kind.DISLIKE, _("Please not with this person")),
    ]

    def __init__(self, *args, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        for profile in profiles:
            name = f"p{profile['participation'].pk}"
            other = profile["participation"]
            self.fields[name] = forms.ChoiceField(
                label=_("Profile %(number)s") % {"number": profile["number"]},
                choices=self.CHOICES,
                required=False,
                initial=profile["preference"],
                widget=forms.RadioSelect,
                # The hint is shown unescaped by the layout: format_html escapes the
                # person's own words.
                help_text=format_html(
                    "{}: {}<br>{}: {}<br>{}: {}<br>{}: {}",
                    _("Organisation"),
                    profile["kind"],
                    _("Topics"),
                    other.topics or "–",
                    _("Expertise"),
                    other.expertise or "–",
                    _("Goals"),
                    other.goals or "–",
                ),
            )
            profile["field"] = name
