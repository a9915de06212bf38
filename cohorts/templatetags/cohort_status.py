"""`{% status_label programme state %}`: a cohort's status in its programme's words (a
learning journey has no tandem status), the same on every page."""

from django import template

from cohorts.selectors import status_label as _status_label

register = template.Library()


@register.simple_tag
def status_label(programme, state):
    return _status_label(programme, state)
