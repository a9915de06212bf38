"""What only the benchmark (`make bench`, bench/run.py) switches on, with PIONEER_BENCH=1.

- `QueryCountMiddleware` adds an `X-Query-Count` header: the SQL queries the request made
  (first in MIDDLEWARE, so the session, the user and the roles count too);
- `floor` is the floor page at /__bench__/floor/: one ORM query of ten rows and a small
  template through the whole middleware stack, the least a page of this stack costs. Each
  page's p95 is reported as a ratio to the floor's.

Never on in production: the settings add neither without the switch, and the page walks
of the tests never see them.
"""

from django.db import connection
from django.shortcuts import render

from pioneer.models import Organisation


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response


def floor(request):
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", "name")[:10])
    return render(request, "bench/floor.html", {"organisations": organisations})
