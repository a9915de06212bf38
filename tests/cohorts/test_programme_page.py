"""A programme's page reads its cohorts (count and the first pages) by SQL kept per process
(cohorts.views.programmes.programme_cohorts_page): the same page the queryset gives for
any page number, and rows written as the template-like format_html wrote them."""

from datetime import date

import pytest
from django.core.paginator import Paginator
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cohorts import selectors
from cohorts.views import programmes
from cohorts.views.rows import programme_cohort_rows
from pioneer.row_html import date_formatter, join, number, url_maker
from tests.factories.cohorts import CohortFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _old_rows(programme, cohorts):
    # The rows as cohorts.views.rows.programme_cohort_rows wrote them with format_html.
    day = date_formatter("SHORT_DATE_FORMAT")
    detail = url_maker("cohorts:cohort_detail")
    rows = []
    for cohort in cohorts:
        if cohort.start_date:
            period = format_html("{} – {}", day(cohort.start_date), day(cohort.end_date) or "…")
        else:
            period = format_html("{}", _("no dates yet"))
        rows.append(
            format_html(
                '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
                '<a class="kern-link" href="{}">{}</a></th>'
                '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
                '<td class="kern-table__cell kern-table__cell--numeric">{}</td></tr>',
                detail(cohort.pk),
                cohort.title,
                selectors.status_label(programme, cohort.state),
                period,
                number(cohort.registration_count),
            )
        )
    return join(rows)


@pytest.mark.parametrize("kept_pages", [20, 1])
def test_the_kept_page_is_the_querysets_page(monkeypatch, kept_pages):
    monkeypatch.setattr(programmes, "PAGE_SIZE", 3)
    monkeypatch.setattr(programmes, "KEPT_PAGES", kept_pages)
    programme = ProgrammeFactory()
    other = ProgrammeFactory()
    CohortFactory(programme=other)
    for index, start in enumerate(
        [date(2024, 4, 1), date(2024, 4, 1), None, date(2023, 1, 1), date(2025, 9, 1)] * 2
    ):
        CohortFactory(
            programme=programme,
            title=f"<b>{index}</b> & 'Durchgang'",
            start_date=start,
            end_date=None if index % 3 == 0 else date(2026, 1, 1),
            state=["draft", "open", "running", "closed"][index % 4],
        )
    shown = []
    for number_asked in (None, "1", "2", "3", "4", "5", "0", "x", "-2"):
        expected = Paginator(selectors.programme_cohorts(programme), 3).get_page(number_asked)
        got = programmes.programme_cohorts_page(programme, number_asked)
        assert (got.number, got.paginator.count, got.paginator.num_pages) == (
            expected.number,
            expected.paginator.count,
            expected.paginator.num_pages,
        )
        rows = selectors.with_registration_counts(expected.object_list)
        kept = selectors.with_registration_counts(got.object_list)
        assert [(c.pk, c.title, c.state, c.start_date, c.end_date) for c in kept] == [
            (c.pk, c.title, c.state, c.start_date, c.end_date) for c in rows
        ]
        html = programme_cohort_rows(programme, kept)
        assert html == _old_rows(programme, rows)
        shown.append(html)
    assert "&lt;b&gt;0&lt;/b&gt; &amp; &#x27;Durchgang&#x27;" in "".join(shown)
