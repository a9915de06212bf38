"""What only `make bench` switches on (pioneer/bench.py), and the bench's own arithmetic."""

import pytest
from django.test import RequestFactory

from bench import load, report
from pioneer.bench import QueryCountMiddleware, floor
from tests.factories.core import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_floor_page_is_not_served_without_the_bench_switch(client):
    assert client.get("/__bench__/floor/").status_code == 404


def test_the_query_counter_counts_the_floor_pages_one_query():
    OrganisationFactory.create_batch(12)
    response = QueryCountMiddleware(floor)(RequestFactory().get("/__bench__/floor/"))
    assert response.status_code == 200
    assert response["X-Query-Count"] == "1"
    assert response.content.count(b"<li>") == 10


def test_nearest_rank_percentiles():
    values = sorted(range(1, 101))
    assert load.percentile(values, 0.5) == 50
    assert load.percentile(values, 0.95) == 95
    assert load.percentile([7], 0.95) == 7


def _stats(p50, p95, queries):
    one = {"p50_ms": p50, "p95_ms": p95, "rps": 10.0, "queries": queries, "status": 200}
    return {"c1": one, "c10": dict(one)}


def _scale(page_p95, queries):
    return {
        "floor_start": _stats(5, 10, 1),
        "floor_end": _stats(5, 10, 1),
        "pages": [
            {"label": "List", "role": "office", "path": "/x/", **_stats(8, page_p95, queries)}
        ],
        "seed_seconds": 1.0,
        "world": "",
    }


def test_the_table_marks_missed_targets():
    meta = {"date": "d", "commit": "c", "cpus": 2, "python": "3", "server": "s", "client": "c"}
    flat = {"meta": meta, "scales": {"1": _scale(20, 5), "50": _scale(21, 5)}}
    grown = {"meta": meta, "scales": {"1": _scale(20, 5), "50": _scale(60, 6)}}

    def row(results):
        return next(line for line in report.markdown(results).splitlines() if "| List" in line)

    assert "✗" not in row(flat)
    assert row(grown).count("✗") == 3  # queries not flat, p95 over 3× the floor, grew 1.3×


def test_the_report_writes_its_table_and_chart_where_it_is_told(tmp_path):
    """The report's writers take the directory (`--out`, `report.py DIR`): a test gives
    its tmp_path, never bench/ (tests/conftest.py fails a test that writes there)."""
    meta = {"date": "d", "commit": "c", "cpus": 2, "python": "3", "server": "s", "client": "c"}
    results = {"meta": meta, "scales": {"1": _scale(20, 5), "50": _scale(21, 5)}}
    (tmp_path / "results.json").write_text(__import__("json").dumps(results))
    chart = report.chart(results, tmp_path / "p95.png")
    assert chart is None or (tmp_path / "p95.png").stat().st_size > 1000
    assert "| List" in report.markdown(results)


def test_signed_in_pages_are_compared_with_the_signed_in_floor_too():
    meta = {"date": "d", "commit": "c", "cpus": 2, "python": "3", "server": "s", "client": "c"}
    low, high = _scale(40, 5), _scale(40, 5)
    high["floor_signed_in"] = _stats(6, 20, 3)
    for scale in (low, high):
        scale["pages"].append(
            {"label": "Open", "role": "anonymous", "path": "/", **_stats(2, 5, 0)}
        )
    text = report.markdown({"meta": meta, "scales": {"1": low, "50": high}})
    assert "| 50 (signed in) | 6.0 | 20.0 |" in text
    signed_in_row = next(line for line in text.splitlines() if line.startswith("| List"))
    assert "| 4.0 | 2.0 |" in signed_in_row  # 40 ms: 4 × the floor, 2 × the signed-in floor
    open_row = next(line for line in text.splitlines() if line.startswith("| Open"))
    assert "| 0.5 | – |" in open_row
