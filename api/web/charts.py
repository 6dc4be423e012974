"""The monitoring pages' pictures, drawn server-side as inline SVG (nothing fetched): lead time
per month as a line chart, realisation per province as bars, and the map of municipalities
coloured by realisation.  Every text is escaped; each chart has its table beside it on the page."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from api.web.svgmap import band, project, size

W, H = 640.0, 280.0
LEFT, RIGHT, TOP, BOTTOM = 48.0, 16.0, 16.0, 40.0


def _svg(width: float, height: float, title: str, body: list[str], klass: str) -> Markup:
    return Markup(f'<svg class="{klass}" viewBox="0 0 {width:g} {height:g}" role="img" xmlns="http://www.w3.org/2000/svg">'
                  f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _ticks(top: float) -> list[float]:
    """About five round steps from 0 to at least ``top``."""
    step = 10 ** math.floor(math.log10(max(top, 1) / 5)) if top > 0 else 1
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 6:
            step *= factor
            break
    return [i * step for i in range(int(math.ceil(max(top, step) / step)) + 1)]


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]],
               norms: Sequence[tuple[str, str, float]] = ()) -> Markup:
    """One line per series (name, CSS class, a value or ``None`` per label: a gap), and a
    dashed horizontal line per norm (name, CSS class, value)."""
    values = [v for _, _, vs in series for v in vs if v is not None] + [n for _, _, n in norms]
    ticks = _ticks(max(values, default=0))
    top = ticks[-1] or 1
    n = max(len(labels), 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + (i + 0.5) * plot_w / n, 1)

    def y(v: float) -> float:
        return round(TOP + plot_h * (1 - v / top), 1)

    body = [f'<line class="axis" x1="{LEFT}" y1="{y(0)}" x2="{W - RIGHT}" y2="{y(0)}"/>']
    body += [f'<text class="tick" x="{LEFT - 4}" y="{y(t) + 4}" text-anchor="end">{t:g}</text>' for t in ticks]
    every = max(1, math.ceil(n / 12))
    body += [f'<text class="tick" x="{x(i)}" y="{H - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
             for i, label in enumerate(labels) if i % every == 0]
    for name, klass, level in norms:
        body.append(f'<line class="norm {klass}" x1="{LEFT}" y1="{y(level)}" x2="{W - RIGHT}" y2="{y(level)}">'
                    f"<title>{escape(name)}</title></line>")
    for k, (name, klass, _) in enumerate(series):  # the legend, top left
        body.append(f'<circle class="{klass}" cx="{LEFT + 10}" cy="{TOP + 6 + 14 * k}" r="4"/>'
                    f'<text class="tick" x="{LEFT + 18}" y="{TOP + 10 + 14 * k}">{escape(name)}</text>')
    for name, klass, vs in series:
        run: list[str] = []
        for i, v in enumerate([*vs, None]):
            if v is not None:
                run.append(f"{x(i)},{y(v)}")
                body.append(f'<circle class="{klass}" cx="{x(i)}" cy="{y(v)}" r="3"><title>{escape(name)} '
                            f"{escape(labels[i])}: {v:g}</title></circle>")
            elif run:
                body.append(f'<polyline class="{klass}" points="{" ".join(run)}"/>')
                run = []
    return _svg(W, H, title, body, "chart line")


def bar_chart(title: str, bars: Sequence[tuple[str, float | None, str]]) -> Markup:
    """Horizontal bars (label, share 0..1 or ``None``, tooltip text), a line at 100%."""
    row = 22.0
    height = TOP + row * max(len(bars), 1) + BOTTOM
    label_w, plot_w = 150.0, W - 150.0 - RIGHT - 40
    top = max([1.0, *[b for _, b, _ in bars if b is not None]])
    body = []
    for i, (label, share, tip) in enumerate(bars):
        y = TOP + i * row
        width = round(plot_w * (share or 0) / top, 1)
        body.append(f'<text class="tick" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect class="bar {band(share)}" x="{label_w}" y="{y + 3}" width="{width}" height="{row - 6}">'
                    f"<title>{escape(tip)}</title></rect>")
        text = "–" if share is None else f"{round(100 * share)}%"
        body.append(f'<text class="tick" x="{label_w + width + 4}" y="{y + 15}">{text}</text>')
    full = round(label_w + plot_w / top, 1)
    body.append(f'<line class="norm" x1="{full}" y1="{TOP}" x2="{full}" y2="{height - BOTTOM}"/>')
    return _svg(W, height, title, body, "chart bars")


def realisation_map(title: str, dots: Sequence[tuple[str, str, float, float, int, float | None]]) -> Markup:
    """Every municipality (code, name, lat, lon, target, realised share) as a dot at its point,
    sized by its target and coloured by its share (the bands of the quota map)."""
    width, height = size()
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" class="sea"/>']
    for code, name, lat, lon, target, share in sorted(dots, key=lambda d: -d[4]):
        x, y = project(lat, lon)
        r = round(1.6 + math.sqrt(max(target, 0)) / 3.2, 1)
        text = "–" if share is None else f"{round(100 * share)}%"
        body.append(f'<circle cx="{x}" cy="{y}" r="{r}" class="{band(share)}" data-code="{escape(code)}">'
                    f"<title>{escape(name)} ({escape(code)}): {text}</title></circle>")
    return _svg(width, height, title, body, "nlmap")
