"""The table and the chart of `make bench` from bench/results.json.

`python -m bench.report` draws them again from the last results without measuring.
Targets (issue 8): at 10 clients, p95 at most 3 times the floor's p95 and under 100 ms;
at most 10 queries, the same at N = 1 and N = 50; p95 at N = 50 at most 1.3 times N = 1.
"""

import json
import sys
from pathlib import Path

MAX_QUERIES = 10
MAX_FLOOR_RATIO = 3.0
MAX_P95_MS = 100.0
MAX_GROWTH = 1.3


def floor_p95(scale, concurrency="c10"):
    """The floor's p95, the mean of its measurements at the start and at the end."""
    values = [scale[key][concurrency]["p95_ms"] for key in ("floor_start", "floor_end")]
    return sum(values) / len(values)


def _fmt(value, digits=0):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pages(results):
    """{(label, role): {n: page}} in the order of the first scale."""
    rows = {}
    for n, scale in results["scales"].items():
        for page in scale["pages"]:
            rows.setdefault((page["label"], page["role"]), {})[n] = page
    return rows


def markdown(results):
    scales = list(results["scales"])
    low, high = scales[0], scales[-1]
    meta = results["meta"]
    lines = [
        "# Performance (make bench)",
        "",
        f"{meta['date']}, commit {meta['commit']}, {meta['cpus']} CPUs, Python "
        f"{meta['python']}, load average {meta.get('load_average_start')} at the start and "
        f"{meta.get('load_average_end')} at the end; whole run {meta.get('run_seconds')} s.",
        f"Server: {meta['server']}. Client: {meta['client']}.",
        *([f"Note: {meta['note']}"] if meta.get("note") else []),
        "",
        "## Floor (the least a page of this stack costs)",
        "",
        "| N | p50 @1 | p95 @1 | p95/p50 @1 | p50 @10 | p95 @10 | req/s @10 | queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, scale in results["scales"].items():
        for key in ("floor_start", "floor_end", "floor_signed_in"):
            if key not in scale:
                continue
            one, ten = scale[key]["c1"], scale[key]["c10"]
            spread = one["p95_ms"] / one["p50_ms"] if one["p50_ms"] else None
            lines.append(
                f"| {n} ({key.split('_', 1)[1].replace('_', ' ')}) | {one['p50_ms']:.1f} | "
                f"{one['p95_ms']:.1f} | "
                f"{_fmt(spread, 1)} | {ten['p50_ms']:.1f} | {ten['p95_ms']:.1f} | "
                f"{ten['rps']:.0f} | {_fmt(one['queries'])} |"
            )
    lines += [
        "",
        "A p95/p50 near 1 at one client on the floor says the client measures the server, "
        "not itself. The floor signed in is the same page with the office's session: what "
        "reading the session, the user with their roles and the navigation add to every "
        "signed-in page. The targets are the floor's; the column × signed-in floor shows a "
        "signed-in page's ratio to it for comparison.",
        "",
        f"## Pages (milliseconds; N = {low} and N = {high})",
        "",
        "✗ marks a missed target: queries over 10 or not the same at both scales; p95 at "
        "10 clients over 3× the floor's or over 100 ms; p95 growing more than 1.3× "
        f"from N = {low} to N = {high}.",
        "",
        f"| Page | Role | queries {low} / {high} | p50 @1 {low} / {high} | "
        f"p95 @1 {low} / {high} | p95 @10 {low} / {high} | req/s @10 {low} / {high} | "
        f"× floor @10 (N={high}) | × signed-in floor @10 (N={high}) | growth p95 @10 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    floor_high = floor_p95(results["scales"][high])
    signed_in = results["scales"][high].get("floor_signed_in")
    signed_in_high = signed_in["c10"]["p95_ms"] if signed_in else None
    for (label, role), by_n in _pages(results).items():
        a, b = by_n.get(low), by_n.get(high)
        if not a or not b:
            continue
        qa, qb = a["c1"]["queries"], b["c1"]["queries"]
        q_bad = qa is None or qb is None or qa != qb or max(qa, qb) > MAX_QUERIES
        ratio = b["c10"]["p95_ms"] / floor_high if floor_high else None
        ratio_signed_in = (
            b["c10"]["p95_ms"] / signed_in_high if signed_in_high and role != "anonymous" else None
        )
        growth = b["c10"]["p95_ms"] / a["c10"]["p95_ms"] if a["c10"]["p95_ms"] else None
        p95_bad = (ratio or 0) > MAX_FLOOR_RATIO or b["c10"]["p95_ms"] > MAX_P95_MS
        status = "" if a["c1"]["status"] == 200 and b["c1"]["status"] == 200 else " (!)"
        lines.append(
            f"| {label}{status} | {role} | {_fmt(qa)} / {_fmt(qb)}{' ✗' if q_bad else ''} | "
            f"{a['c1']['p50_ms']:.0f} / {b['c1']['p50_ms']:.0f} | "
            f"{a['c1']['p95_ms']:.0f} / {b['c1']['p95_ms']:.0f} | "
            f"{a['c10']['p95_ms']:.0f} / {b['c10']['p95_ms']:.0f}{' ✗' if p95_bad else ''} | "
            f"{a['c10']['rps']:.0f} / {b['c10']['rps']:.0f} | {_fmt(ratio, 1)} | "
            f"{_fmt(ratio_signed_in, 1)} | "
            f"{_fmt(growth, 2)}{' ✗' if (growth or 0) > MAX_GROWTH else ''} |"
        )
    lines += ["", "## Downloads over HTTP (seconds)", ""]
    lines += [
        "| N | Download | status | first byte | end | bytes | queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, scale in results["scales"].items():
        for item in scale.get("downloads", []):
            lines.append(
                f"| {n} | {item['label']} | {item['status']} | {item['first_byte_s']} | "
                f"{item['total_s']} | {item['bytes']} | {_fmt(item.get('queries'))} |"
            )
    lines += [
        "",
        "## Jobs (each in its own process; tasks inline, e-mails dropped)",
        "",
        "| N | Job | seconds | first byte | peak RSS MB | peak growth MB | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, scale in results["scales"].items():
        for name, job in scale.get("jobs", {}).items():
            what = {
                k: v
                for k, v in job.items()
                if k not in {"seconds", "first_byte_s", "peak_rss_mb", "peak_growth_mb", "note"}
            }
            lines.append(
                f"| {n} | {name} | {_fmt(job.get('seconds'), 2)} | "
                f"{_fmt(job.get('first_byte_s'), 3)} | {_fmt(job.get('peak_rss_mb'))} | "
                f"{_fmt(job.get('peak_growth_mb'))} | "
                f"{', '.join(f'{k}: {v}' for k, v in what.items())} |"
            )
    lines += ["", "## Seeding", ""]
    for n, scale in results["scales"].items():
        lines.append(
            f"- N = {n}: `seed_demo --scale {n}` {scale['seed_seconds']} s. {scale['world']}"
        )
    return "\n".join(lines) + "\n"


def chart(results, path):
    """p95 at 10 clients per page, one bar per scale, with the floor×3 and 100 ms lines."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rows = _pages(results)
    labels = [f"{label} [{role}]" for label, role in rows]
    scales = list(results["scales"])
    height = 0.8 / len(scales)
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(labels) + 1.6))
    colours = ["#7fa7d6", "#1f4e8c", "#c05a2b"]
    for k, n in enumerate(scales):
        values = [rows[key].get(n, {}).get("c10", {}).get("p95_ms", 0) for key in rows]
        positions = [i + k * height for i in range(len(labels))]
        ax.barh(positions, values, height=height, label=f"N = {n}", color=colours[k % 3])
    floor = floor_p95(results["scales"][scales[-1]])
    ax.axvline(
        3 * floor, color="#555555", linestyle="--", label=f"3 × floor p95 ({3 * floor:.0f} ms)"
    )
    ax.axvline(MAX_P95_MS, color="#b00020", linestyle=":", label="100 ms")
    ax.set_yticks([i + height * (len(scales) - 1) / 2 for i in range(len(labels))])
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("p95 at 10 concurrent clients (ms)")
    ax.set_title("Pioneer: p95 per page (make bench)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    data = json.loads((out / "results.json").read_text())
    (out / "results.md").write_text(markdown(data))
    chart(data, out / "p95.png")
    print(markdown(data))
