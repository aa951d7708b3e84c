"""Status charts as inline SVG drawn on the server (no script, no chart library).

The dashboard's :func:`hygie.web.charts.score_chart` draws one score line; the fleet needs
the share of each status among devices, so these are stacked bars: one horizontal bar for
"now", one vertical bar per week for "over time". Every chart has a ``<title>`` and the page
puts the same figures in a table next to it (screen readers, printing, copying).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from hygie.fleet.server.stats import DayCounts, StatusCounts
from hygie.fleet.server.ui.figures import STATUS_KEYS

# ok, warn, fail, unknown, not applicable: contrast >= 3:1 against white for each
COLOURS = {
    "ok": "#1d6b35",
    "warn": "#b35c00",
    "fail": "#a3221b",
    "unknown": "#5b6875",
    "not_applicable": "#a7b3bf",
}


def _segments(counts: StatusCounts) -> list[tuple[str, float]]:
    total = counts.total
    if total == 0:
        return []
    return [(s, counts[s] / total) for s in STATUS_KEYS if counts[s]]


def now_bar(counts: StatusCounts, *, label: str, width: int = 320, height: int = 22) -> Markup:
    """One horizontal bar split by status share."""
    parts = [
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
    ]
    x = 0.0
    for status, share in _segments(counts):
        w = share * width
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{COLOURS[status]}"/>'
        )
        x += w
    if not counts.total:
        parts.append(f'<rect width="{width}" height="{height}" fill="#eceff3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def over_time_chart(
    points: Sequence[DayCounts],
    *,
    title: str,
    chart_id: str,
    width: int = 560,
    height: int = 180,
) -> Markup:
    """One stacked bar per day with reports (share of computers by status, 0-100 %), oldest
    on the left; a hidden day (counts None) is an empty slot marked with a dash."""
    left, right, top, bottom = 36, 8, 8, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.8, 40.0), 2.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#c9d3dd" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#3b4754">{pct} %</text>'
        )
    for i, point in enumerate(points):
        counts = point.counts
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        if counts is None:
            parts.append(
                f'<text x="{x + bar_w / 2:.2f}" y="{top + plot_h - 4:.2f}" font-size="14" '
                'text-anchor="middle" fill="#3b4754">–</text>'
            )
            continue
        for status, share in _segments(counts):
            h = share * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{h:.2f}" '
                f'fill="{COLOURS[status]}"/>'
            )
    if points:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11" fill="#3b4754">'
            f"{escape(points[0].day.strftime('%d/%m/%Y'))}</text>"
            f'<text x="{width - right}" y="{height - 8}" font-size="11" text-anchor="end" '
            f'fill="#3b4754">{escape(points[-1].day.strftime("%d/%m/%Y"))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
