"""The report's charts: inline SVG that is well formed, the same on every run and safe."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import pytest
from matplotlib import font_manager
from paths import FIXTURES

from tender import charts
from tender.award import Award, make_award
from tender.load import load_tender
from tender.models import Tender

if TYPE_CHECKING:
    from tender.compare import Comparison

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

CHARTS: dict[str, Callable[[Award], charts.Chart]] = {
    "scores": charts.score_distribution_chart,
    "shares": charts.provider_share_chart,
    "cost": charts.cost_budget_chart,
}


@pytest.fixture(scope="module")
def tender() -> Tender:
    return load_tender(FIXTURES / "htlah-2016")


@pytest.fixture(scope="module")
def award(tender: Tender) -> Award:
    return make_award(tender)


@pytest.fixture(scope="module")
def drawn(award: Award) -> dict[str, charts.Chart]:
    return charts.award_charts(award)


@pytest.fixture(scope="module")
def rendered(drawn: dict[str, charts.Chart]) -> dict[str, str]:
    return {name: chart.svg for name, chart in drawn.items()}


def with_rules(tender: Tender, **changes: object) -> Award:
    return make_award(tender.model_copy(update={"rules": tender.rules.model_copy(update=changes)}))


def dashed_lines(svg: str) -> int:
    """Paths drawn with a dash pattern: matplotlib writes them as ``stroke-dasharray``."""
    return svg.count("stroke-dasharray")


def test_award_charts_names_match_the_report_template(rendered: dict[str, str]) -> None:
    assert sorted(rendered) == sorted(CHARTS)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_inline_svg_that_parses(rendered: dict[str, str], name: str) -> None:
    svg = rendered[name]
    assert svg.startswith(f'<svg id="chart-{name}" role="img" aria-label="')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert "<metadata" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.get("viewBox")


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_byte_identical_on_a_second_render(
    award: Award, rendered: dict[str, str], name: str
) -> None:
    assert CHARTS[name](award).svg == rendered[name]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_text_is_drawn_as_paths(rendered: dict[str, str], name: str) -> None:
    root = ET.fromstring(rendered[name])
    assert root.find(f".//{SVG}text") is None
    assert 'id="chart-' + name + "-DejaVuSans-" in rendered[name]


def test_ids_are_unique_across_charts_and_references_stay_inside(
    rendered: dict[str, str],
) -> None:
    seen: set[str] = set()
    for name, svg in rendered.items():
        root = ET.fromstring(svg)
        ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
        assert len(ids) == len(set(ids))
        assert all(i == f"chart-{name}" or i.startswith(f"chart-{name}-") for i in ids)
        assert not seen & set(ids)
        seen |= set(ids)
        refs = [e.get(XLINK_HREF) for e in root.iter() if e.get(XLINK_HREF)]
        refs += re.findall(r"url\(#([^)]+)\)", svg)
        assert refs
        assert {r.removeprefix("#") for r in refs} <= set(ids)
        # matplotlib's "*" rule would otherwise style the whole HTML page.
        assert f'<style type="text/css">#chart-{name} *{{' in svg


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_title_is_its_description(drawn: dict[str, charts.Chart], name: str) -> None:
    # WeasyPrint takes a figure's alt text from the <title> that is the root's first child.
    root = ET.fromstring(drawn[name].svg)
    first = next(iter(root))
    assert first.tag == f"{SVG}title"
    assert first.text == drawn[name].description == root.get("aria-label")


def test_score_chart_describes_every_lot(award: Award, rendered: dict[str, str]) -> None:
    label = ET.fromstring(rendered["scores"]).get("aria-label")
    assert label is not None and f"each of {len(award.tender.lots)} lots" in label


def test_share_chart_draws_the_cap_when_set(tender: Tender, rendered: dict[str, str]) -> None:
    assert tender.rules.max_share_of_hours == pytest.approx(0.15)
    capped = rendered["shares"]
    uncapped = charts.provider_share_chart(with_rules(tender, max_share_of_hours=None)).svg
    assert dashed_lines(capped) == 1
    assert dashed_lines(uncapped) == 0
    assert "the cap is 15%" in capped
    assert "no cap is set" in uncapped


def test_share_chart_names_the_largest_provider(award: Award, rendered: dict[str, str]) -> None:
    assert f"the largest, {award.totals.largest_share_bidder}, " in rendered["shares"]
    assert f"{award.totals.providers} appointed providers" in rendered["shares"]


def test_cost_chart_without_budget_says_so(award: Award, rendered: dict[str, str]) -> None:
    assert award.tender.rules.budget_per_year is None
    assert "no budget set" in rendered["cost"]
    assert ET.fromstring(rendered["cost"]).tag == f"{SVG}svg"


@pytest.mark.parametrize(
    ("budget", "words"), [(40_000_000, "within budget"), (30_000_000, "over budget")]
)
def test_cost_chart_against_a_budget(award: Award, budget: float, words: str) -> None:
    # The award is not re-solved: a budget only changes the chart's reference.
    tender = award.tender.model_copy(
        update={"rules": award.tender.rules.model_copy(update={"budget_per_year": budget})}
    )
    svg = charts.cost_budget_chart(award.model_copy(update={"tender": tender})).svg
    ET.fromstring(svg)
    assert words in svg
    assert f"a budget of £{budget:,.0f}" in svg
    assert "no budget set" not in svg


def test_many_providers_fold_into_others() -> None:
    award = make_award(load_tender(FIXTURES / "hcl-2021"))
    bars, providers = charts._share_bars(award)
    assert providers == award.totals.providers > charts.TOP_PROVIDERS
    assert len(bars) == charts.TOP_PROVIDERS + 1
    assert bars[-1][0] == f"{providers - charts.TOP_PROVIDERS} others"
    named = bars[:-1]
    assert named == sorted(named, key=lambda bar: (-bar[1], bar[0]))
    assert named[0] == (
        award.totals.largest_share_bidder,
        pytest.approx(100 * award.totals.largest_share),
    )
    awarded = sum(a.hours_per_week for o in award.lots for a in o.appointments)
    assert sum(share for _, share in bars) == pytest.approx(
        100 * awarded / award.tender.total_hours
    )
    ET.fromstring(charts.provider_share_chart(award).svg)


def test_awarded_share_basis_measures_against_awarded_hours(award: Award) -> None:
    # Not re-solved (that takes seconds): the basis only changes what the bars divide by.
    tender = award.tender.model_copy(
        update={"rules": award.tender.rules.model_copy(update={"share_basis": "awarded"})}
    )
    award = award.model_copy(update={"tender": tender})
    bars, _ = charts._share_bars(award)
    assert sum(share for _, share in bars) == pytest.approx(100)
    assert "shares of awarded hours" in charts.provider_share_chart(award).description


def test_empty_award_still_draws() -> None:
    award = make_award(load_tender(FIXTURES / "west-leics-2017"))
    assert award.totals.providers == 0
    for chart in charts.award_charts(award).values():
        ET.fromstring(chart.svg)
    assert "no provider appointed" in charts.provider_share_chart(award).description


def test_user_text_cannot_inject_markup(award: Award) -> None:
    # Ids are validated to a safe alphabet on load; copies skip validation, which stands in
    # for any path that might one day let markup through.
    lot_id = award.tender.lots[0].lot_id
    bidder_id = award.lots[0].appointments[0].bidder_id
    hostile_lot, hostile_bidder = "<b>x</b>", '"><script>alert(1)</script>'

    def lot(value: str) -> str:
        return hostile_lot if value == lot_id else value

    def bidder(value: str) -> str:
        return hostile_bidder if value == bidder_id else value

    tender = award.tender.model_copy(
        update={
            "lots": tuple(x.model_copy(update={"lot_id": lot(x.lot_id)}) for x in award.tender.lots)
        }
    )
    scores = award.scores.model_copy(
        update={
            "bids": tuple(
                b.model_copy(update={"lot_id": lot(b.lot_id), "bidder_id": bidder(b.bidder_id)})
                for b in award.scores.bids
            )
        }
    )
    outcomes = tuple(
        o.model_copy(
            update={
                "lot_id": lot(o.lot_id),
                "appointments": tuple(
                    a.model_copy(update={"lot_id": lot(a.lot_id), "bidder_id": bidder(a.bidder_id)})
                    for a in o.appointments
                ),
            }
        )
        for o in award.lots
    )
    hostile = award.model_copy(update={"tender": tender, "scores": scores, "lots": outcomes})
    for chart in charts.award_charts(hostile).values():
        root = ET.fromstring(chart.svg)
        assert {e.tag for e in root.iter()} <= {
            f"{SVG}{tag}"
            for tag in ("svg", "title", "defs", "style", "g", "path", "use", "clipPath", "rect")
        }
        assert "<b>" not in chart.svg and "<script" not in chart.svg


def test_rendering_leaves_global_settings_alone(award: Award) -> None:
    before = dict(matplotlib.rcParams)
    charts.award_charts(award)
    assert dict(matplotlib.rcParams) == before


def test_chart_text_uses_matplotlibs_own_dejavu_sans_over_a_system_copy(
    award: Award, rendered: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system DejaVu Sans of another version would draw other outlines: other bytes.

    Simulated as a machine with Debian's fonts-dejavu-core has it: another font file, outside
    matplotlib, listed first under the family name "DejaVu Sans" so that it wins the lookup.
    DejaVu Sans Mono stands in for the other version, its glyphs visibly different.
    """
    manager = font_manager.fontManager
    bundled = Path(matplotlib.get_data_path(), "fonts", "ttf")
    rivals = []
    for face, weight in (("DejaVuSansMono.ttf", 400), ("DejaVuSansMono-Bold.ttf", 700)):
        copy = tmp_path / face
        shutil.copyfile(bundled / face, copy)
        rivals.append(
            font_manager.FontEntry(
                fname=str(copy), name="DejaVu Sans", weight=weight, size="scalable"
            )
        )
    monkeypatch.setattr(manager, "ttflist", [*rivals, *manager.ttflist])
    found: list[str] = []
    lookup = manager.findfont

    def recording(*args: object, **kwargs: object) -> str:
        path = lookup(*args, **kwargs)
        found.append(path)
        return path

    monkeypatch.setattr(manager, "findfont", recording)
    manager._findfont_cached.cache_clear()  # lookups made before the rival was listed
    try:
        # The trap is set: "DejaVu Sans" now finds the rival, as on such a machine.
        plain = font_manager.FontProperties(family="DejaVu Sans")
        assert Path(manager.findfont(plain, fallback_to_default=False)).parent == tmp_path
        found.clear()
        svgs = {name: draw(award).svg for name, draw in CHARTS.items()}
    finally:
        manager._findfont_cached.cache_clear()  # forget the rival before it is unlisted
    assert svgs == rendered
    used = {Path(path) for path in found}
    assert used == {bundled / "DejaVuSans.ttf", bundled / "DejaVuSans-Bold.ttf"}


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (36_780_021.2, "GBP", "£36.8m"),
        (1_200_000, "GBP", "£1.2m"),
        (14_000_000, "GBP", "£14m"),
        (999_960, "GBP", "£1m"),
        (950_000, "GBP", "£950k"),
        (800, "GBP", "£800"),
        (0, "GBP", "£0"),
        (-1_100_000, "GBP", "-£1.1m"),
        (2_500_000_000, "GBP", "£2.5bn"),
        (1_200_000, "EUR", "1.2m EUR"),
    ],
)
def test_short_money(value: float, currency: str, text: str) -> None:
    assert charts._short_money(value, currency) == text


def _comparison(*results: tuple[str, int, int | None]) -> Comparison:
    """A comparison of scenarios ``(name, places vacant, lots changed)`` over two lots."""
    from tender.compare import Comparison, ScenarioResult

    return Comparison(
        tender_id="t",
        currency="GBP",
        objective="hours_weighted",
        results=tuple(
            ScenarioResult(
                name=name,
                description="",
                lots=2,
                lots_covered=2,
                places_vacant=vacant,
                providers=2,
                mean_score=88.5,
                lots_changed=changed,
                status="optimal",
                proven=True,
            )
            for name, vacant, changed in results
        ),
    )


def test_comparison_leaves_out_a_metric_that_is_zero_everywhere() -> None:
    comparison = _comparison(("baseline", 0, None), ("other", 0, 1))
    titles = [title for title, _ in charts.comparison_charts(comparison)]
    assert "Vacant places" not in titles
    assert "Lots changing hands against the baseline" in titles
    assert "Mean score of the appointed bids" in titles


def test_dollar_signs_in_scenario_names_are_drawn_as_typed() -> None:
    """A scenario name is user text: "$5 or $6" is not math, and a backslash between two
    dollars stopped the comparison with a mathtext parse error before text.parse_math off."""
    names = ("baseline", r"cap $\nosuch$ at $5", "$6 or $7")
    drawn = charts.comparison_charts(_comparison(*((name, 0, 1) for name in names)))
    assert drawn
    for _, chart in drawn:
        ET.fromstring(chart.svg)
        assert r"cap $\nosuch$ at $5" in chart.description
