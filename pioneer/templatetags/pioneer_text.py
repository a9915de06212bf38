"""Small text filters the shared templates need."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# A label that ends a sentence already (a question) takes no colon of ours after it.
_ENDS_A_SENTENCE = ("?", "!", ".", "…")


@register.filter
def labelled(error, label):
    """ "Label: error" for the error summary, without doubled punctuation: a label ending in
    ":" keeps one colon, a label that is a question ("Would you host?") takes none."""
    text = str(label or "").strip().rstrip(":").rstrip()
    if not text:
        return conditional_escape(error)
    separator = " " if text.endswith(_ENDS_A_SENTENCE) else ": "
    return mark_safe(f"{conditional_escape(text)}{separator}{conditional_escape(error)}")  # noqa: S308


@register.simple_tag
def programme_office():
    """The e-mail signature's facts (settings PROGRAMME_OFFICE_*), for any template,
    allauth's included, without each sender passing them in."""
    return {
        "name": settings.PROGRAMME_OFFICE_NAME,
        "email": settings.PROGRAMME_OFFICE_EMAIL,
        "phone": settings.PROGRAMME_OFFICE_PHONE,
    }


@register.simple_tag
def operator_name():
    return settings.OPERATOR_NAME


@register.simple_tag(takes_context=True)
def language_switch(context):
    """The language switch's fields (pioneer.layout)."""
    from pioneer import layout

    return mark_safe(layout.language_switch(context["request"]))  # noqa: S308 (escaped there)


@register.simple_tag(takes_context=True)
def main_navigation(context):
    """The main navigation of the context processor's items (pioneer.layout)."""
    from pioneer import layout

    return mark_safe(layout.navigation_html(context.get("nav_items")))  # noqa: S308 (escaped there)


def _abbr(organisation):
    return format_html('<abbr title="{}">{}</abbr>', organisation.name, organisation.short_name)


@register.filter
def organisation_first(organisation):
    """An organisation at its first mention in a text: the full name with its abbreviation
    explained, "Ministerium für ... (<abbr title="Ministerium für ...">MLUK</abbr>)"."""
    if not organisation:
        return ""
    if not organisation.short_name or organisation.short_name == organisation.name:
        return organisation.name
    return format_html("{} ({})", organisation.name, _abbr(organisation))


@register.filter
def organisation_short(organisation):
    """An organisation mentioned again: its abbreviation, explained on hover and to screen
    readers by <abbr title>."""
    if not organisation:
        return ""
    if not organisation.short_name or organisation.short_name == organisation.name:
        return organisation.name
    return _abbr(organisation)


# {% constant %} … {% endconstant %}: parts of a page that are the same for every request
# in a language (the head's links, the header's and the footer's links and labels) are
# rendered once per process and language. The shared layout's fixed parts cost about half
# of its 1 ms of rendering on every page (sixteen reverse() calls, forty translations),
# profiled. What may stand inside is checked when the template is read: text, {% trans %}
# of a literal, {% url %} of literals and {% static %} of a literal, none of them `as` a
# variable; anything that could depend on the request, the person or a variable is refused.


def _literal(expression):
    if expression is None:
        return True
    if expression.filters:
        return False
    var = expression.var
    return isinstance(var, str) or (isinstance(var, template.Variable) and var.lookups is None)


def _constant_node(node):
    from django.template.base import TextNode
    from django.template.defaulttags import URLNode
    from django.templatetags.i18n import TranslateNode
    from django.templatetags.static import StaticNode

    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _literal(node.filter_expression)
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(map(_literal, node.args))
            and all(map(_literal, node.kwargs.values()))
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    return False


class ConstantNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}

    def render(self, context):
        from django.utils import translation

        language = translation.get_language()
        html = self.rendered.get(language)
        if html is None:
            html = self.rendered[language] = self.nodelist.render(context)
        return html


@register.tag
def constant(parser, token):
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant_node(node):
            raise template.TemplateSyntaxError(
                f"{{% constant %}} holds only text and {{% trans %}}, {{% url %}} and "
                f"{{% static %}} of literals, not {node!r}"
            )
    return ConstantNode(nodelist)
