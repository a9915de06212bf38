"""Choice lists written in Python instead of one template per option.

Django's widgets and the crispy pack render each option of a radio list or a select
through its own template (an include per option, and another for its attributes): at
fifty options that is most of a form page's time. These tags write the same markup as
`kern/layout/radio_checkbox_select.html` did and as Django's `select.html` does, in one
loop, with the attributes Django builds (`id`, `checked`/`selected`, `aria-*`)."""

from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def kern_choice_options(field):
    """The options of a radio list or of several checkboxes, in KERN markup."""
    kind = field.field.widget.input_type
    error = bool(field.errors)
    wrapper = "kern-form-check kern-form-check--error" if error else "kern-form-check"
    css = f"kern-form-check__{kind}" + (f" kern-form-check__{kind}--error" if error else "")
    parts = []
    for group, options, _index in optgroups(field):
        if group:
            parts.append(format_html('<p class="kern-body kern-body--bold">{}</p>', group))
        parts.append(
            format_html_join(
                "\n",
                '<div class="{}"><input type="{}" class="{}" name="{}"{}{}>'
                '<label class="kern-label" for="{}">{}</label></div>',
                (
                    (
                        wrapper,
                        option["type"],
                        css,
                        field.html_name,
                        ""
                        if option["value"] is None
                        else format_html(' value="{}"', str(option["value"])),
                        flatatt(option["attrs"]),
                        option["attrs"].get("id", ""),
                        option["label"],
                    )
                    for option in options
                ),
            )
        )
    return mark_safe("\n".join(parts))  # noqa: S308 (each part is format_html's)
