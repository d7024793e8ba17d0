"""The report's charts: an award drawn as inline SVG text by matplotlib.

Only :mod:`tender.report` imports this module, so the CLI starts without matplotlib. Each
chart is drawn on its own :class:`~matplotlib.figure.Figure` (never pyplot, so no global
figure state) inside :func:`matplotlib.rc_context`, and the output is made fit to paste into
HTML:

- the same award gives the same bytes: ids come from a fixed hash salt, the metadata carries
  no date or version, and every set or dict is sorted before it is drawn;
- text is drawn as paths in matplotlib's own copy of DejaVu Sans, so the PDF needs no fonts
  for the charts and a system DejaVu Sans of another version cannot change the outlines
  (see :data:`FONT_FAMILY`);
- the XML prolog, doctype, metadata and comments are removed (the comments would repeat
  bidder and lot ids as text), every id is prefixed with the chart's name and the style
  rule scoped to the chart, so three charts in one page cannot clash;
- the root ``<svg>`` carries ``role="img"``, an ``aria-label`` and a ``<title>`` saying what
  it shows: WeasyPrint makes the title the figure's alternate text in the tagged PDF, and the
  report prints the same sentence as the chart's caption, since its lettering is paths.

Colours are the Okabe-Ito palette, which stays distinct under the common colour-blindnesses;
appointed and non-appointed bids also differ in shape and fill, not colour alone.
"""

from __future__ import annotations

import dataclasses
import html
import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tender.formatting import whole_money

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from tender.award import Award
    from tender.compare import Comparison, ScenarioResult

__all__ = [
    "Chart",
    "award_charts",
    "comparison_charts",
    "cost_budget_chart",
    "provider_share_chart",
    "score_distribution_chart",
]

#: Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#999999"
INK = "#222222"

#: Dot size in the score chart, in points.
MARKER_PT = 5.0

#: Providers drawn by name in the share chart; the rest share one "others" bar. Fifteen keep
#: the three charts of a framework's report on one page.
TOP_PROVIDERS = 15

#: The font family every chart's text asks for: matplotlib's bundled DejaVu Sans files
#: (:data:`FONT_FILES`), registered under a name no installed font has. Asking for "DejaVu
#: Sans" lets a system copy of another version (Debian's fonts-dejavu-core) win the lookup on
#: some machines, and its other outlines change the charts' bytes. The name has no "-", ":"
#: or ",", which would make it a fontconfig pattern wherever matplotlib parses a font string.
FONT_FAMILY = "Tender Charts DejaVu Sans"

#: matplotlib's own DejaVu Sans faces, in ``mpl-data/fonts/ttf``: regular, bold and obliques.
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)

CM = 1 / 2.54
WIDTH = 16 * CM
#: Ids are up to 64 characters; longer labels than this are cut with an ellipsis.
MAX_LABEL = 14

_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "tender",
    "font.family": FONT_FAMILY,
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": INK,
    # Labels are user text (scenario names): "$5 or $6" is not math, and "$\\x$" must not
    # stop the report with a mathtext parse error.
    "text.parse_math": False,
    "savefig.bbox": None,
    "savefig.facecolor": "white",
}


@dataclass(frozen=True)
class Chart:
    """A chart for a page: inline SVG, and the sentence saying what it shows.

    The sentence is the SVG's ``<title>`` (the figure's alternate text in a tagged PDF) and
    the caption a page prints under the chart: the chart's own lettering is drawn as paths,
    so without it nothing about the chart could be searched or read aloud.
    """

    svg: str
    description: str


def award_charts(award: Award) -> dict[str, Chart]:
    """Every chart of the panel's report, by the name the report template uses.

    Args:
        award: The solved award.

    Returns:
        The charts ``scores``, ``shares`` and ``cost``.
    """
    return {
        "scores": score_distribution_chart(award),
        "shares": provider_share_chart(award),
        "cost": cost_budget_chart(award),
    }


# --- the three charts ----------------------------------------------------------------------


def score_distribution_chart(award: Award) -> Chart:
    """A strip chart of each lot's compliant bids by total score, appointed bids highlighted.

    Lots run along the x axis in tender order; non-compliant bids are left out. Dots that
    would overlap are spread sideways, by a rule that depends only on the scores.

    Args:
        award: The solved award.

    Returns:
        The chart.
    """
    lot_ids = [lot.lot_id for lot in award.tender.lots]
    appointed = {(a.lot_id, a.bidder_id) for o in award.lots for a in o.appointments}
    totals: dict[str, list[tuple[float, bool]]] = {lot_id: [] for lot_id in lot_ids}
    for bid in award.scores.bids:
        if bid.compliant and bid.lot_id in totals:
            totals[bid.lot_id].append((bid.total, (bid.lot_id, bid.bidder_id) in appointed))
    description = (
        f"Strip chart of the total scores, 0 to 100, of the compliant bids on each of "
        f"{len(lot_ids)} lots; appointed bids are filled diamonds, other bids open circles."
    )
    everything = [total for points in totals.values() for total, _ in points]
    # Dots need no zero baseline: start just below the lowest score so close bids part.
    lowest = min(everything, default=0.0)
    tick = 10 if lowest >= 35 else 20
    bottom = max(0, tick * math.floor((lowest - 5) / tick))
    # About a marker's size in data units, for a plot area of some 400 x 140 points.
    step = MARKER_PT * max(len(lot_ids), 1) / 400
    ygap = MARKER_PT * (102 - bottom) / 140
    xs: dict[bool, list[float]] = {False: [], True: []}
    ys: dict[bool, list[float]] = {False: [], True: []}
    for index, lot_id in enumerate(lot_ids):
        points = sorted(totals[lot_id], key=lambda p: (-p[0], p[1]))
        offsets = _swarm([total for total, _ in points], step=step, ygap=ygap)
        for (total, chosen), offset in zip(points, offsets, strict=True):
            xs[chosen].append(index + offset)
            ys[chosen].append(total)
    with _figure(height=7 * CM) as fig:
        ax = fig.add_subplot()
        ax.plot(
            xs[False],
            ys[False],
            linestyle="none",
            marker="o",
            markersize=MARKER_PT - 0.6,
            markerfacecolor="none",
            markeredgecolor=BLUE,
            markeredgewidth=0.9,
            label="Compliant bid",
        )
        ax.plot(
            xs[True],
            ys[True],
            linestyle="none",
            marker="D",
            markersize=MARKER_PT - 0.4,
            markerfacecolor=VERMILLION,
            markeredgecolor=INK,
            markeredgewidth=0.5,
            label="Appointed",
            zorder=3,
        )
        ax.set_xlim(-0.6, len(lot_ids) - 0.4)
        ax.set_ylim(bottom, 102)
        ax.set_yticks(range(bottom, 101, tick))
        if not everything:
            ax.text(0.5, 0.5, "No compliant bids", transform=ax.transAxes, ha="center")
        ax.set_xticks(range(len(lot_ids)), [_label(lot_id) for lot_id in lot_ids])
        _tilt_if_crowded(ax, lot_ids)
        ax.set_xlabel("Lot")
        ax.set_ylabel("Total score (0-100)")
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_title("Total scores of compliant bids, by lot")
        ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, borderaxespad=0.2)
        return _svg(fig, "scores", description)


def provider_share_chart(award: Award) -> Chart:
    """Horizontal bars: each appointed provider's share of the hours per week.

    Shares are of the tendered hours, or of the awarded hours when the tender's
    ``share_basis`` is ``"awarded"``, so the bars measure what the cap limits. The cap, if
    the tender sets one, is a dashed line. Beyond :data:`TOP_PROVIDERS` providers the rest
    are summed in one "others" bar.

    Args:
        award: The solved award.

    Returns:
        The chart.
    """
    rules = award.tender.rules
    bars, providers = _share_bars(award)
    folded = providers > TOP_PROVIDERS
    labels = [_label(label) for label, _ in bars]
    shares = [share for _, share in bars]
    cap = 100 * rules.max_share_of_hours if rules.max_share_of_hours is not None else None
    basis = rules.share_basis
    description = _share_description(bars, providers, basis, cap)
    height = max(5.0, 2.4 + 0.42 * max(len(labels), 1)) * CM
    with _figure(height=height) as fig:
        ax = fig.add_subplot()
        positions = range(len(labels))
        colours = [VERMILLION if cap is not None and s > cap + 1e-9 else BLUE for s in shares]
        # The named providers and the cap set the scale; "others" together may run off it.
        right = max([*shares[:TOP_PROVIDERS], cap or 0.0, 1.0]) * 1.18
        if folded:
            colours[-1] = GREY
        ax.barh(positions, [min(s, right) for s in shares], height=0.65, color=colours)
        ax.set_yticks(positions, labels)
        ax.set_ylim(len(labels) - 0.4, -0.6)
        ax.set_xlim(0, right)
        for y, share in zip(positions, shares, strict=True):
            value = f"{share:.1f}%" + (" together" if folded and y == TOP_PROVIDERS else "")
            if share <= right * 0.9:
                ax.text(share + right * 0.01, y, value, va="center", fontsize=7)
            else:
                ax.text(
                    min(share, right) - right * 0.01,
                    y,
                    value,
                    va="center",
                    ha="right",
                    fontsize=7,
                    color="white",
                    fontweight="bold",
                )
        if cap is not None:
            ax.axvline(cap, color=INK, linestyle=(0, (4, 2)), linewidth=1)
            ax.text(
                cap,
                1.0,
                f" cap {cap:g}%",
                transform=ax.get_xaxis_transform(),
                ha="left",
                va="bottom",
                fontsize=7.5,
            )
        if not labels:
            ax.text(0.5, 0.5, "No provider appointed", transform=ax.transAxes, ha="center")
            ax.set_yticks([])
        ax.xaxis.set_major_formatter("{x:g}%")
        ax.set_xlabel(f"Share of {basis} hours per week")
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_title(f"Share of {basis} hours per week, by provider", pad=12)
        return _svg(fig, "shares", description)


def cost_budget_chart(award: Award) -> Chart:
    """The award's annual cost as a bar, beside the budget per year if the tender sets one.

    Args:
        award: The solved award.

    Returns:
        The chart.
    """
    currency = award.tender.info.currency
    cost = award.totals.annual_cost
    budget = award.tender.rules.budget_per_year
    over = budget is not None and cost > budget
    if budget is None:
        labels, values, colours = ["Annual cost"], [cost], [BLUE]
        note = "no budget set"
        description = f"Bar chart: the award costs {whole_money(cost, currency)} a year; {note}."
    else:
        labels = ["Annual cost", "Budget per year"]
        values = [cost, budget]
        colours = [VERMILLION if over else BLUE, GREY]
        gap = _short_money(abs(budget - cost), currency)
        note = f"{gap} over budget" if over else f"{gap} within budget"
        description = (
            f"Bar chart: the award costs {whole_money(cost, currency)} a year against a budget "
            f"of {whole_money(budget, currency)}, {note}."
        )
    with _figure(height=(4.4 if budget is not None else 3.6) * CM) as fig:
        ax = fig.add_subplot()
        positions = range(len(labels))
        ax.barh(positions, values, height=0.6, color=colours)
        ax.set_yticks(positions, labels)
        ax.set_ylim(len(labels) - 0.4, -0.6)
        right = max([*values, 1.0]) * 1.3
        ax.set_xlim(0, right)
        for y, value in zip(positions, values, strict=True):
            ax.text(value + right * 0.01, y, _short_money(value, currency), va="center")
        if right < 10:
            ax.set_xticks([0])
        ax.text(
            1.0,
            1.0,
            note,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            color=VERMILLION if over else INK,
            fontsize=8,
            fontweight="bold" if over else "normal",
        )
        ax.xaxis.set_major_formatter(lambda x, _: _short_money(x, currency))
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_title(
            "Annual cost of the award" + (" against the budget" if budget is not None else "")
        )
        return _svg(fig, "cost", description)


# --- scenario comparison -------------------------------------------------------------------


def comparison_charts(comparison: Comparison) -> list[tuple[str, Chart]]:
    """One bar chart per metric of a scenario comparison, as (title, chart) pairs.

    Scenarios whose rules could not be met have no bar; a budget or a share cap is drawn as
    a dashed line where every scenario shares it.
    """
    currency = comparison.currency
    results = comparison.results

    def common(get: Callable[[ScenarioResult], float | None]) -> float | None:
        values = {get(r) for r in results}
        return values.pop() if len(values) == 1 else None

    metrics: list[
        tuple[
            str, str, Callable[[ScenarioResult], float | None], Callable[[float], str], float | None
        ]
    ] = [
        ("covered", "Lots covered", lambda r: r.lots_covered, lambda v: f"{v:.0f}", None),
        ("vacant", "Vacant places", lambda r: r.places_vacant, lambda v: f"{v:.0f}", None),
        (
            "mean",
            "Mean score of the appointed bids",
            lambda r: r.mean_score,
            lambda v: f"{v:.2f}",
            None,
        ),
        (
            "cost",
            "Annual cost",
            lambda r: r.annual_cost,
            lambda v: _short_money(v, currency),
            common(lambda r: r.budget_per_year),
        ),
        ("providers", "Providers appointed", lambda r: r.providers, lambda v: f"{v:.0f}", None),
        (
            "share",
            "Largest provider share of hours",
            lambda r: r.largest_share,
            lambda v: f"{v:.1%}",
            common(lambda r: r.max_share_of_hours),
        ),
        ("hhi", "Market concentration (HHI)", lambda r: r.hhi, lambda v: f"{v:,.0f}", None),
        ("sme", "SME share of awarded hours", lambda r: r.sme_share, lambda v: f"{v:.1%}", None),
        (
            "changed",
            "Lots changing hands against the baseline",
            lambda r: r.lots_changed,
            lambda v: f"{v:.0f}",
            None,
        ),
    ]
    charts = []
    for name, title, get, fmt, reference in metrics:
        values = [get(r) for r in results]
        if all(not v for v in values):
            # Nothing to compare (no vacancies anywhere, say): the table already says so.
            continue
        integer = name in ("covered", "vacant", "providers", "changed")
        # Scores near 90 on an axis from 0: whole points on the axis, two decimals on the bars.
        tick = (lambda v: f"{v:.0f}") if name == "mean" else fmt
        charts.append(
            (
                title,
                _scenario_bars(
                    name, title, results, values, fmt, reference, integer=integer, tick=tick
                ),
            )
        )
    return charts


def _scenario_bars(
    name: str,
    title: str,
    results: tuple[ScenarioResult, ...],
    values: list[float | None],
    fmt: Callable[[float], str],
    reference: float | None,
    *,
    integer: bool,
    tick: Callable[[float], str],
) -> Chart:
    labels = [_label(r.name) for r in results]
    shown = [v if v is not None else 0.0 for v in values]
    described = ", ".join(
        f"{r.name} {fmt(v) if v is not None else 'no award' if r.error else 'n/a'}"
        for r, v in zip(results, values, strict=True)
    )
    description = f"Bar chart of {title.lower()} by scenario: {described}."
    height = (1.6 + 0.55 * len(results)) * CM
    with _figure(height=height) as fig:
        ax = fig.add_subplot()
        positions = range(len(results))
        colours = [GREY if i == 0 else BLUE for i in positions]
        ax.barh(positions, shown, height=0.6, color=colours)
        ax.set_yticks(positions, labels)
        ax.set_ylim(len(results) - 0.4, -0.6)
        right = max([*shown, reference or 0.0]) * 1.25 or 1.0
        ax.set_xlim(0, right)
        for y, value, result in zip(positions, values, results, strict=True):
            text = fmt(value) if value is not None else "no award" if result.error else "n/a"
            ax.text((value or 0.0) + right * 0.01, y, text, va="center")
        if reference is not None:
            ax.axvline(reference, color=VERMILLION, linestyle="--", linewidth=1)
        ax.xaxis.set_major_formatter(lambda x, _: tick(x))
        if integer:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_title(title)
        return _svg(fig, f"compare-{name}", description)


# --- helpers -------------------------------------------------------------------------------


def _swarm(values: list[float], *, step: float, ygap: float, width: float = 0.42) -> list[float]:
    """Sideways offsets so dots of close value do not hide each other.

    Each value in turn takes the first of 0, +step, -step, +2 step, ... that keeps it
    ``ygap`` away from the dots already placed there; past ``width`` a dot is drawn over
    the least crowded place. Pure in ``values``, so the picture is the same on every run.
    """
    slots = [0.0]
    k = 1
    while k * step <= width:
        slots += [k * step, -k * step]
        k += 1
    placed: list[tuple[float, float]] = []
    offsets = []
    for value in values:
        clashes = [
            sum(1 for x, y in placed if x == slot and abs(y - value) < ygap) for slot in slots
        ]
        slot = slots[clashes.index(min(clashes))]
        placed.append((slot, value))
        offsets.append(slot)
    return offsets


def _share_bars(award: Award) -> tuple[list[tuple[str, float]], int]:
    """The share chart's bars and the number of providers appointed.

    Returns:
        ``(bidder id, percent)`` for the :data:`TOP_PROVIDERS` providers with most hours,
        most first (ties by id), then ``("N others", percent)`` for the rest if any. The
        percent is of the tendered hours, or of the awarded hours under
        ``share_basis = "awarded"``; and the number of providers.
    """
    hours: dict[str, float] = {}
    for outcome in award.lots:
        for a in outcome.appointments:
            hours[a.bidder_id] = hours.get(a.bidder_id, 0.0) + a.hours_per_week
    if award.tender.rules.share_basis == "awarded":
        base = math.fsum(hours.values())
    else:
        base = award.tender.total_hours
    ranked = sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))
    bars = [(bidder_id, 100 * h / base) for bidder_id, h in ranked[:TOP_PROVIDERS]]
    rest = ranked[TOP_PROVIDERS:]
    if rest:
        bars.append((f"{len(rest)} others", 100 * math.fsum(h for _, h in rest) / base))
    return bars, len(ranked)


def _share_description(
    bars: list[tuple[str, float]], providers: int, basis: str, cap: float | None
) -> str:
    if not bars:
        return f"Bar chart of providers' shares of {basis} hours per week: no provider appointed."
    text = (
        f"Bar chart of the shares of {basis} hours per week of {providers} appointed "
        f"providers; the largest, {bars[0][0]}, has {bars[0][1]:.1f}%"
    )
    return text + (f"; the cap is {cap:g}%." if cap is not None else "; no cap is set.")


def _short_money(value: float, currency: str) -> str:
    """An amount for a chart label: £1.2m, £950k, £800; 1.2m EUR in other currencies."""
    sign = "-" if value < 0 else ""
    amount = abs(value)
    text = f"{amount:,.0f}"
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if round(amount / size, 1) >= 1:
            text = f"{amount / size:.1f}".removesuffix(".0") + suffix
            break
    return f"{sign}£{text}" if currency == "GBP" else f"{sign}{text} {currency}"


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _tilt_if_crowded(ax: Axes, labels: list[str]) -> None:
    """Turn x labels when they would run into each other (many lots or long ids)."""
    longest = max((len(_label(t)) for t in labels), default=0)
    if longest * len(labels) > 90:
        for tick in ax.get_xticklabels():
            tick.set_rotation(90 if len(labels) > 30 else 45)
            tick.set_horizontalalignment("center" if len(labels) > 30 else "right")
            tick.set_rotation_mode("anchor" if len(labels) <= 30 else "default")


def _register_fonts() -> None:
    """Make :data:`FONT_FAMILY` name matplotlib's bundled DejaVu Sans files, and nothing else.

    Each file is listed under that family with the weight and style read from the file, so
    regular and bold text get the same faces as from matplotlib's own "DejaVu Sans" entries.
    Called before every figure, as matplotlib may rebuild its font list (after a stale cache)
    and so drop the entries; once they are there it changes nothing.
    """
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if any(entry.name == FONT_FAMILY for entry in manager.ttflist):
        return
    folder = Path(matplotlib.get_data_path(), "fonts", "ttf")
    for name in FONT_FILES:
        entry = font_manager.ttfFontProperty(font_manager.get_font(folder / name))
        manager.ttflist.append(dataclasses.replace(entry, name=FONT_FAMILY))


@contextmanager
def _figure(*, height: float) -> Iterator[Figure]:
    """A figure drawn under the chart settings, which last as long as the ``with`` block."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    _register_fonts()
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        FigureCanvasSVG(fig)
        yield fig


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def _svg(fig: Figure, name: str, description: str) -> Chart:
    """The figure as SVG text for an HTML page: no prolog, no comments, ids prefixed."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", _COMMENT.sub("", text), count=1)
    prefix = f"chart-{name}-"
    text = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", text)
    # matplotlib's one style rule selects "*", which inline would reach the whole page.
    text = text.replace('<style type="text/css">*{', f'<style type="text/css">#chart-{name} *{{', 1)
    label = html.escape(description, quote=True)
    head = f'<svg id="chart-{name}" role="img" aria-label="{label}" '
    text = head + text.removeprefix("<svg ")
    # The title is the root's first child: where WeasyPrint looks for a figure's alt text.
    opened = text.index(">") + 1
    text = f"{text[:opened]}\n<title>{html.escape(description, quote=False)}</title>{text[opened:]}"
    # Drop the blank lines the removed comments leave behind.
    svg = "\n".join(line for line in text.splitlines() if line.strip()) + "\n"
    return Chart(svg=svg, description=description)
