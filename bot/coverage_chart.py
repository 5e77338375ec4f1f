"""A trend as a PNG chart: one line per channel, dates along the bottom (matplotlib, Agg).

The figure is built on matplotlib's object API (no pyplot): no global state, so charts can be
drawn in worker threads side by side. A fixed size, font and palette give the same picture for
the same trend; the chart has its own opaque background, so it reads the same on Discord's dark
and light themes. Blocking (~50–150 ms): call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from service.coverage import Trend

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 px: Discord shows it whole, unscaled
BACKGROUND = "#f4f5f7"  # light grey, opaque: neither theme's background
TEXT = "#1f2328"
GRID = "#d0d7de"
# Okabe–Ito: told apart with the common colour-vision deficiencies, dark enough on light grey.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#8C564B")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")  # a second cue besides colour
LEGEND_MAX = 8  # more channels than this get a shared "others" note, not a taller legend


def chart_title(trend: Trend) -> str:
    """The chart's title: the topic and the range, as plain text."""
    per = "day" if trend.bucket == "day" else "week"
    topic = trend.topic if len(trend.topic) <= 60 else trend.topic[:59] + "…"
    return f"“{topic}”: videos per {per}, {trend.since} → {trend.until}"


def trend_figure(trend: Trend) -> Figure:
    """The chart of a trend: one line (with markers) per channel of its series."""
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=BACKGROUND)
    ax = fig.add_subplot()
    ax.set_facecolor(BACKGROUND)
    for i, (channel, points) in enumerate(trend.series.items()):
        days = np.array([d for d, _ in points], dtype="datetime64[D]")
        counts = [n for _, n in points]
        total = sum(counts)
        label = f"{channel} ({total})" if i < LEGEND_MAX else "_nolegend_"
        ax.plot(days, counts, label=label, color=PALETTE[i % len(PALETTE)],
                marker=MARKERS[i % len(MARKERS)], markersize=4 if len(days) > 30 else 6,
                linewidth=1.8)
    # "$" would start matplotlib's maths notation in a topic like "$5,000 gold".
    ax.set_title(chart_title(trend).replace("$", r"\$"), color=TEXT, fontsize=12, loc="left")
    ax.set_ylabel("videos covering it", color=TEXT)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.tick_params(colors=TEXT)
    ax.grid(True, color=GRID, linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    legend = ax.legend(loc="upper left", frameon=False, fontsize=9)
    for text in legend.get_texts():
        text.set_color(TEXT)
    fig.tight_layout()
    return fig


def render_png(trend: Trend) -> bytes:
    """The trend's chart as PNG bytes (WIDTH_IN x HEIGHT_IN inches at DPI)."""
    fig = trend_figure(trend)
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    # No software/version text in the file: the same trend gives the same bytes.
    fig.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
    return out.getvalue()
