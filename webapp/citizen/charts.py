"""Bar charts drawn on the server as SVG: no JavaScript, no inline styles (CSP), readable by screen readers.

Each chart is an `img` with a title and a description, and the page puts a table of the same figures beside it.
A value published as "< 5" gets no bar, only its label, so the drawing never tells more than the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: list[int | str]


def bar_chart(chart_id: str, title: str, description: str, categories: list[str], series: list[Series]) -> Markup:
    """Grouped vertical bars, one group per category, one bar per series; a legend below."""
    numbers = [v for s in series for v in s.values if isinstance(v, int)]
    top = _nice_top(max(numbers, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1.0)
    e = escape
    parts = [
        f'<svg class="chart" id="{e(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" '
        f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc">',
        f'<title id="{e(chart_id)}-title">{e(title)}</title><desc id="{e(chart_id)}-desc">{e(description)}</desc>',
    ]
    for step in range(5):  # gridlines and the scale
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart__axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_number(top * step / 4)}</text>"
        )
    for index, category in enumerate(categories):
        x0 = LEFT + group_w * index + group_w * 0.1
        for number, one in enumerate(series):
            value = one.values[index]
            x = x0 + bar_w * number
            if isinstance(value, int) and value > 0:
                h = plot_h * value / top
                parts.append(
                    f'<rect class="chart__bar {e(one.css_class)}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                    f'width="{bar_w - 1:.1f}" height="{h:.1f}"/>'
                )
            elif isinstance(value, str):
                parts.append(
                    f'<text class="chart__small" x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - 4:.1f}" '
                    f'text-anchor="middle">{e(value)}</text>'
                )
        parts.append(
            f'<text class="chart__axis" x="{LEFT + group_w * index + group_w / 2:.1f}" y="{TOP + plot_h + 16}" '
            f'text-anchor="middle">{e(category)}</text>'
        )
    for number, one in enumerate(series):  # the legend
        x = LEFT + 180 * number
        parts.append(
            f'<rect class="chart__bar {e(one.css_class)}" x="{x}" y="{HEIGHT + 4}" width="12" height="12"/>'
            f'<text class="chart__legend" x="{x + 18}" y="{HEIGHT + 15}">{e(one.name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _nice_top(largest: int) -> int:
    """A round upper end of the scale, at least the largest value, divisible into 4 steps."""
    if largest <= 4:
        return 4
    magnitude = 10 ** (len(str(largest)) - 1)
    for factor in (1, 2, 2.5, 4, 5, 8, 10):
        candidate = int(factor * magnitude)
        if candidate >= largest and candidate % 4 == 0:
            return candidate
    return ((largest + 3) // 4) * 4


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"
