"""Sortable columns and filter chips (pioneer.tables): only whitelisted keys sort, the id
breaks ties in the same direction, and a chip's link is the list without that filter."""

from django import forms
from django.db.models import F
from django.http import QueryDict

from pioneer.tables import Column, SortableTable, bad_filters, filter_chips

COLUMNS = [
    Column("name", "Name", ("user__name", "user__email")),
    Column("count", "Count", ("places",), numeric=True, descending_first=True),
    Column("rank", "Rank", (F("rank"),)),
    Column("notes", "Notes"),  # shown, not sortable
]


def _table(query, default="name"):
    return SortableTable(QueryDict(query), COLUMNS, default=default)


def test_a_whitelisted_key_sorts_with_the_id_last_in_the_same_direction():
    assert _table("sort=name").ordering == ["user__name", "user__email", "pk"]
    assert _table("sort=-name").ordering == ["-user__name", "-user__email", "-pk"]
    expression = _table("sort=-rank").ordering[0]
    assert expression.descending and expression.expression.name == "rank"


def test_anything_else_falls_back_to_the_default():
    for query in ("sort=password", "sort=notes", "sort=--name", "sort=", "", "sort=user__name"):
        table = _table(query, default="-count")
        assert (table.key, table.descending) == ("count", True), query
        assert table.is_default


def test_headers_say_how_they_are_sorted_and_what_a_click_asks_for():
    headers = {h.key: h for h in _table("sort=name").headers}
    assert (headers["name"].aria_sort, headers["name"].sort) == ("ascending", "-name")
    # Numbers read largest first when first clicked.
    assert (headers["count"].aria_sort, headers["count"].sort) == ("", "-count")
    assert not headers["notes"].sortable and headers["notes"].sort == ""
    down = {h.key: h for h in _table("sort=-name").headers}
    assert (down["name"].aria_sort, down["name"].sort) == ("descending", "name")


class _Filters(forms.Form):
    q = forms.CharField(label="Search", required=False)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "All"), ("open", "Open for interest")]
    )
    number = forms.IntegerField(label="Number", required=False)


def test_chips_name_the_filters_in_effect_and_leave_them_out_of_their_link():
    params = QueryDict("q=wald&state=open&page=3&select=page&sort=-name")
    chips = {c.label: c for c in filter_chips(_Filters(params), params)}
    assert chips["State"].value == "Open for interest"
    assert chips["State"].url == "?q=wald&sort=-name"
    assert chips["Search"].url == "?state=open&sort=-name"
    assert "Number" not in chips


def test_a_value_that_does_not_parse_has_no_chip_and_is_named():
    params = QueryDict("state=bogus&number=x&q=ok")
    form = _Filters(params)
    assert [c.label for c in filter_chips(form, params)] == ["Search"]
    assert sorted(bad_filters(form)) == ["Number", "State"]
    assert bad_filters(_Filters(QueryDict("q=x"))) == []
    assert filter_chips(_Filters(), QueryDict("")) == []
