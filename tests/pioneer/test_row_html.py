"""`pioneer.row_html.date_formatter` writes what the template's `date` filter writes, for
every named format of both languages, every month, days and hours of one and two
digits, dates and datetimes (aware, in the current time zone, and naive)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from pioneer.row_html import _format_pattern, date_formatter

NAMES = [
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "TIME_FORMAT",
]
TIME_NAMES = {"DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT"}


def _values():
    for month in range(1, 13):
        for day, hour in ((1, 0), (9, 7), (10, 13), (28, 23)):
            moment = datetime(2026, month, day, hour, 5 * day % 60, 9)
            yield date(2026, month, day)
            yield moment  # naive
            yield timezone.make_aware(moment, timezone.get_current_timezone())
            # Aware in UTC: written in the current time zone, as the template does.
            yield timezone.make_aware(moment, UTC) + timedelta(minutes=30)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_the_formatter_writes_what_the_date_filter_writes(language, name):
    template = Template(f'{{{{ value|date:"{name}" }}}}', engine=None)
    with translation.override(language):
        write = date_formatter(name)
        for value in _values():
            if name in TIME_NAMES and not isinstance(value, datetime):
                continue  # a date has no time to write
            expected = template.render(Context({"value": value}, autoescape=False))
            assert write(value) == expected, (language, name, value)
        assert write(None) == ""


def test_what_it_does_not_write_itself_goes_to_django():
    assert _format_pattern("j. F Y, H:i") is not None
    assert _format_pattern("D, j M Y") is None  # weekdays
    assert _format_pattern(r"j \d\e F") is None  # escapes
    with translation.override("de"), pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.formats.get_format", lambda name, *a, **k: "l, j. F Y")
        write = date_formatter("DATE_FORMAT")
        assert write(date(2026, 3, 2)) == "Montag, 2. März 2026"
