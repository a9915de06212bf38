"""Forms of the blueprints app: the filter of the public list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from blueprints.models import Blueprint


class BlueprintFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Blueprint.Kind.choices],
    )
