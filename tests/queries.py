"""The flat-queries helper (DESIGN.md: at most 10 queries a page, the same with 1 row as
with 50).

    assert_flat_queries(client, url, make_rows)

`make_rows(count)` adds `count` more rows of what the page lists. The helper adds one,
asks the page (once to warm caches, once counted), adds 49 more, asks again, and asserts
both answers are 200, the two counts are equal and neither is over the budget.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

BUDGET = 10


def _read(response):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def count_queries(client, url):
    _read(client.get(url))  # warm: content types, the session's first touch
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        # A streamed page (a print view, an export) reads its rows while it is sent.
        _read(response)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), [q["sql"] for q in queries.captured_queries]


def assert_flat_queries(client, url, make_rows, budget=BUDGET):
    make_rows(1)
    at_one, sql_one = count_queries(client, url)
    make_rows(49)
    at_fifty, sql_fifty = count_queries(client, url)
    assert at_one <= budget, (url, at_one, sql_one)
    assert at_fifty == at_one, (url, at_one, at_fifty, sql_fifty)
    return at_one
