"""The score over time as an inline SVG, drawn on the server (no chart library, no script)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from hygie.i18n import _


def score_chart(
    points: Sequence[tuple[str, int | None]],
    *,
    width: int = 640,
    height: int = 220,
    title_id: str = "chart-title",
) -> Markup:
    """``points`` are (ISO date, score or None), oldest first. Audits without a score leave
    a gap in the line rather than a fake zero."""
    left, right, top, bottom = 40, 12, 12, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: int) -> float:
        return top + plot_h * (1 - v / 100)

    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">{escape(_("Évolution du score d’hygiène (0 à 100)"))}</title>',
    ]
    for v in (0, 50, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            'stroke="#c9d3dd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#3b4754">{v}</text>'
        )
    runs: list[list[str]] = [[]]
    for i, (_date, score) in enumerate(points):
        if score is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{x(i):.1f},{y(score):.1f}")
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="#0b5cab" '
                'stroke-width="2.5" stroke-linejoin="round"/>'
            )
        elif run:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="4" fill="#0b5cab"/>')
    if n and points[-1][1] is not None:
        last = points[-1][1]
        assert last is not None
        parts.append(f'<circle cx="{x(n - 1):.1f}" cy="{y(last):.1f}" r="5" fill="#0b5cab"/>')
    if n:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="12" fill="#3b4754">'
            f"{escape(points[0][0][:10])}</text>"
            f'<text x="{width - right}" y="{height - 8}" font-size="12" text-anchor="end" '
            f'fill="#3b4754">{escape(points[-1][0][:10])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
