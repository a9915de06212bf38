"""`pioneer.validators.ids_from`: the ids of a submitted selection."""

from hypothesis import given
from hypothesis import strategies as st

from pioneer.validators import MAX_ID, ids_from


def test_only_whole_numbers_a_primary_key_can_hold_once_each_in_order():
    values = ["3", "x", "1", "3", "", "-2", "0", str(MAX_ID), str(MAX_ID + 1), "9" * 30, None]
    assert ids_from(values) == [3, 1, MAX_ID]
    assert ids_from(values, limit=2) == [3, 1]


@given(st.lists(st.one_of(st.integers(), st.text(max_size=5))))
def test_never_an_id_out_of_range(values):
    ids = ids_from(values)
    assert all(isinstance(i, int) and 0 < i <= MAX_ID for i in ids)
    assert len(ids) == len(set(ids))
