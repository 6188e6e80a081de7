"""Server-rendered SVG charts, readable without JavaScript: bars for actual figures and,
where there is one, a dashed line for the target. Pages put the same numbers in a table
for screen readers; the SVG itself carries a title and is hidden from them."""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

__all__ = ["Series", "bar_chart", "compact"]

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 64, 28, 12


def compact(value: Decimal) -> str:
    """The scale's top, short enough for the margin: 950, 12.5 k, 1.7 M."""
    for size, suffix in ((Decimal(10**9), " G"), (Decimal(10**6), " M"), (Decimal(10**3), " k")):
        if value >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.0f}"


@dataclass(frozen=True)
class Series:
    labels: list[str]
    bars: list[Decimal]
    line: list[Decimal] | None = None  # a target, or a second figure to compare


def _scale(series: Series) -> Decimal:
    values = [*series.bars, *(series.line or [])]
    top = max((v for v in values), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _y(value: Decimal, top: Decimal) -> float:
    plot = HEIGHT - BOTTOM - TOP
    return float(HEIGHT - BOTTOM - (value / top) * plot)


def bar_chart(series: Series, title: str) -> str:
    """An SVG document fragment; labels and title are escaped here."""
    count = max(len(series.labels), 1)
    step = (WIDTH - LEFT - 8) / count
    top = _scale(series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-hidden="true" focusable="false"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#4a5560"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">'
        f"{compact(top)}</text>",
    ]
    for i, (label, value) in enumerate(zip(series.labels, series.bars, strict=True)):
        x = LEFT + i * step + step * 0.15
        y = _y(value, top)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{HEIGHT - BOTTOM - y:.1f}" fill="#0b5cad"/>'
        )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    if series.line:
        points = " ".join(
            f"{LEFT + i * step + step / 2:.1f},{_y(v, top):.1f}" for i, v in enumerate(series.line)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#a4161a" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
