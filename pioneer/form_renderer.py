"""The form renderer (settings.FORM_RENDERER): Django's own, with the plain widgets written
in Python instead of through templates.

Django renders every widget through a template, an `<input>` through three of them
(`text.html` includes `input.html`, which includes `attrs.html`) and a `<select>` through
two more per option. A form of fifteen fields spent about half its page's time there
(profiled on the public interest form). The markup here is the same as those templates
give, character for character apart from the whitespace between options; every other
template (the admin's widgets, radio lists, multi-part widgets, anything a project or
library overrides) goes to Django's template renderer as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
# The widget templates that are exactly `input.html`.
INPUTS = frozenset(
    WIDGETS + name + ".html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "checkbox",
        "color",
    )
)


def _text(value):
    """What `{{ value }}` writes: localized, and escaped unless already safe."""
    return str(conditional_escape(localize(value)))


def _string(value):
    """What `{{ value|stringformat:'s' }}` writes."""
    return str(conditional_escape(value if hasattr(value, "__html__") else f"{value}"))


def _attrs(attrs):
    """`attrs.html`: False leaves an attribute out, True writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget):
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option):
    return (
        f'<option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'<optgroup label="{_text(group)}">')
        for option in options:
            if option.get("template_name") != WIDGETS + "select_option.html":
                return None  # an option of its own making: the templates know it
            parts.append(_option(option))
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            html = None
            if template_name in INPUTS:
                html = _input(widget)
            elif template_name == WIDGETS + "textarea.html":
                html = _textarea(widget)
            elif template_name in (WIDGETS + "select.html", WIDGETS + "selectmultiple.html"):
                html = _select(widget)
            if html is not None:
                return mark_safe(html)  # noqa: S308 (every part is escaped above)
        return super().render(template_name, context, request=request)
