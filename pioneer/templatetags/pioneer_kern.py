"""A form field's label, hint and errors in KERN markup, written in Python.

They were three one-line templates included by every field (`kern/field.html` and its
checkbox, choice-list and multi-part variants). crispy renders each field on its own, so
each include looked its template up and rendered it again for every field: on a form of
fifteen fields, forty-five includes and about a fifth of the page's time (profiled on the
public interest form). The markup is the same as those templates wrote.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def kern_label(context, field, legend=False, hide_optional=False):
    """The field's <label> (a <legend> for a fieldset), with "(optional)" when the field
    is not required, unless the label says so already or the caller hides it."""
    label = field.label
    if not label:
        return ""
    label_class = context.get("label_class")
    css = f"kern-label {label_class}" if label_class else "kern-label"
    if legend:
        opening = format_html('<legend class="{}">', css)
    elif field.id_for_label:
        opening = format_html('<label class="{}" for="{}">', css, field.id_for_label)
    else:
        opening = format_html('<label class="{}">', css)
    optional = ""
    if not field.field.required and not hide_optional and "optional" not in str(label).lower():
        optional = format_html(
            ' <span class="kern-label__optional">{}</span>', gettext("(optional)")
        )
    closing = "</legend>" if legend else "</label>"
    return mark_safe(f"{opening}{conditional_escape(label)}{optional}{closing}")  # noqa: S308


@register.simple_tag
def kern_help_text(field):
    """The field's hint, with the id Django's aria-describedby names. Help texts are the
    project's own strings and may carry markup (as `|safe` wrote them before)."""
    if not field.help_text:
        return ""
    return format_html(
        '<div class="kern-hint" id="{}_helptext">{}</div>',
        field.auto_id,
        mark_safe(field.help_text),  # noqa: S308 (our own help texts, never user input)
    )


@register.simple_tag
def kern_field_errors(field):
    """The field's errors, with the id Django's aria-describedby names."""
    errors = field.errors
    if not errors:
        return ""
    return format_html(
        '<div class="kern-error" id="{}_error"><span class="kern-icon kern-icon--danger"'
        ' aria-hidden="true"></span><span class="kern-body">{}</span></div>',
        field.auto_id,
        mark_safe("<br>".join(conditional_escape(error) for error in errors)),  # noqa: S308
    )
