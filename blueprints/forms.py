"""Forms of the blueprints app: the filter of the public list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from blueprints.models import Blueprint
from pioneer.validators import SafeForm


class BlueprintFilter(SafeForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Blueprint.Kind.choices],
    )
