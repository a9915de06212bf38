from django import template

from evaluation import reports

register = template.Library()


@register.simple_tag
def bar_chart(rows):
    """The geometry of a server-rendered bar chart (evaluation/_bars.html)."""
    chart = reports.bar_chart(rows)
    for bar in chart["bars"]:
        bar["width_int"] = int(bar["width"])
    return chart
