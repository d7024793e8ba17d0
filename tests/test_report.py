"""The panel's PDF report and the bidders' letters, checked through their text."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, GOLDEN, MINI
from pypdf import PdfReader

import tender.publish
import tender.report
from optimiser.explain import explain_award
from tender import cli
from tender.award import Award, make_award
from tender.charts import award_charts
from tender.load import load_tender
from tender.publish import document_names
from tender.report import PackageFetcher, _render_pdf, letters_html, report_html

#: The right edge of a page's content: A4 less the 16 mm margin, in PDF points.
CONTENT_RIGHT = (210 - 16) * 72 / 25.4


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_off_the_page(pdf: bytes) -> list[str]:
    """Text that starts beyond the right margin, where a too-wide table runs off the page."""
    cut: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, font, size, cut=cut):
            if text.strip() and tm[4] * cm[0] + tm[5] * cm[2] + cm[4] > CONTENT_RIGHT:
                cut.append(text)

        page.extract_text(visitor_text=visit)
    return cut


def html_text(html: str) -> str:
    """The words of an HTML page, tags dropped and entities read, spaces squeezed."""
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def golden_award() -> list[dict[str, str]]:
    path = GOLDEN / "htlah-2016" / "award.csv"
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def htlah_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        cli.cli,
        [
            "report",
            str(FIXTURES / "htlah-2016"),
            "--out",
            str(out),
            "--html",
            "--notice-date",
            "2016-08-19",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "report.pdf" in result.output
    return out


def test_report_has_every_lot_provider_budget_and_hash(htlah_report: Path) -> None:
    assert (htlah_report / "report.pdf").read_bytes().startswith(b"%PDF")
    text = pdf_text(htlah_report / "report.pdf")
    flat = squeeze(text)
    tender = load_tender(FIXTURES / "htlah-2016")
    for lot in tender.lots:
        assert squeeze(lot.name) in flat, lot.name
    for row in golden_award():
        assert squeeze(row["bidder_name"]) in flat, row["bidder_name"]
    assert "Budget per year" in text
    for name in ("tender.toml", "lots.csv", "bidders.csv", "bids.csv", "marks.csv"):
        digest = hashlib.sha256((FIXTURES / "htlah-2016" / name).read_bytes()).hexdigest()
        assert digest in flat, name
    assert "Page 1 of" in text
    assert "Recommendation" in text and "Audit appendix" in text and "Moderation log" in text


def test_report_pdf_is_titled_and_tagged(htlah_report: Path) -> None:
    reader = PdfReader(htlah_report / "report.pdf")
    assert reader.metadata.title == "Help to Live at Home: lead providers: award report"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_report_charts_have_alt_text_and_a_caption(htlah_report: Path) -> None:
    reader = PdfReader(htlah_report / "report.pdf")
    figures = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt", "")))
            stack.extend(v for k, v in node.items() if k == "/K")
    assert len(figures) == 3
    assert sorted(f.split(" ")[0] for f in figures) == ["Bar", "Bar", "Strip"]
    flat = squeeze(pdf_text(htlah_report / "report.pdf"))
    for alt in figures:
        assert squeeze(alt) in flat  # the caption prints the same sentence as text


def test_letter_scores_match_scores_csv_and_standstill(htlah_report: Path, tmp_path: Path) -> None:
    assert (
        CliRunner()
        .invoke(cli.cli, ["score", str(FIXTURES / "htlah-2016"), "--out", str(tmp_path)])
        .exit_code
        == 0
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "scores.csv").read_text())))
    lot1 = [r for r in rows if r["lot_id"] == "1"]
    appointed = next(r["bidder_id"] for r in golden_award() if r["lot_id"] == "1")
    winner = next(r for r in lot1 if r["bidder_id"] == appointed)
    loser = next(r for r in lot1 if r["rank"] == "1")  # ranked first, stopped by the share cap
    assert loser is not winner
    text = pdf_text(htlah_report / "letters" / f"{loser['bidder_id']}.pdf")
    section = text[text.index("Lot 1: Castle Donington") :]
    section = section[: section.index("Lot 2:")] if "Lot 2:" in section else section
    assert "Award decision notice" in text  # pcr2015 wording
    assert f"{float(loser['total']):.2f}" in section
    assert f"{float(winner['total']):.2f}" in section
    for criterion in ("Q1", "Q2", "Q3"):
        assert f"{float(loser[criterion]):.2f} / 5" in section
        assert f"{float(winner[criterion]):.2f} / 5" in section
    assert "youhadreachedyoursharecap" in squeeze(section)
    # pcr2015: notice Friday 19 August 2016; the 10th calendar day after is Monday 29 August
    # 2016, the Summer bank holiday, so the standstill runs to the end of Tuesday 30 August.
    assert "Tuesday30August2016" in squeeze(text)


def test_every_assessed_bidder_gets_a_letter(htlah_report: Path) -> None:
    tender = load_tender(FIXTURES / "htlah-2016")
    expected = sorted({b.bidder_id for b in tender.bids})
    assert sorted(p.stem for p in (htlah_report / "letters").glob("*.pdf")) == expected


def test_hostile_text_is_escaped_and_nothing_is_fetched(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = '<script>alert(1)</script> {{ 7*7 }} <img src="http://example.invalid/x.png">'
    with (mini / "bidders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([["bidder_id", "name"], ["B1", hostile], ["B2", "Beta"], ["B3", "Gamma"]])

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.cli, ["report", str(mini), "--out", str(out), "--html"])
    assert result.exit_code == 0, result.output
    for html_file in [out / "report.html", out / "letters" / "B1.html"]:
        html = html_file.read_text(encoding="utf-8")
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html
        assert "{{ 7*7 }}" in html and ">49<" not in html


def pdf_fonts(pdf: bytes) -> set[str]:
    """The fonts a PDF's pages use, without the subset tag (``ABCDEF+Tender-Sans``)."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return found


def test_other_scripts_fall_back_to_the_full_fonts(mini: Path) -> None:
    """The Common subsets cover Latin, Greek and Cyrillic; a Hebrew name still prints."""
    with (mini / "bidders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        rows = [["B1", "Alpha שלום Care"], ["B2", "Ωμέγα Care"], ["B3", "Gamma"]]
        writer.writerows([["bidder_id", "name"], *rows])
    tender_ = load_tender(mini)
    award = make_award(tender_)
    explanation = explain_award(award.problem, award.result, rule_costs=False)
    letters = letters_html(award, explanation, notice_date=tender_.info.award_decision_date)
    # B2 wins both its lots and is named in B3's letter; B1 is named in its own letter only.
    assert "Ωμέγα" in letters["B3"] and "שלום" not in letters["B3"]
    greek, hebrew = _render_pdf(letters["B3"]), _render_pdf(letters["B1"])
    assert pdf_fonts(greek) == {"Tender-Sans", "Tender-Sans-Bold"}
    assert pdf_fonts(hebrew) == {"Tender-Sans", "Tender-Sans-Bold", "Tender-Sans-Full"}
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(hebrew)).pages)
    assert "שלום" in text


def test_a_pdf_is_the_same_bytes_whenever_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """fontTools dates each font subset it embeds by the clock unless SOURCE_DATE_EPOCH is set."""
    tender_ = load_tender(MINI)
    award = make_award(tender_)
    explanation = explain_award(award.problem, award.result, rule_costs=False)
    html = letters_html(award, explanation, notice_date=tender_.info.award_decision_date)["B1"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _render_pdf(html)
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert _render_pdf(html) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ  # set for the rendering only


def test_the_module_loads_neither_weasyprint_nor_the_optimiser() -> None:
    """Rendering workers import it: they load WeasyPrint when they render, and nothing else."""
    probe = "import sys, tender.report; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    heavy = ("weasyprint", "pulp", "highspy", "pandas", "pydantic", "matplotlib")
    command = [sys.executable, "-c", probe.format(heavy=heavy)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_pool_renders_pages_as_they_are_made_into_the_same_bytes() -> None:
    """Pages from a generator, rendered by 2 workers, longest first: the same PDFs as here."""
    tender_ = load_tender(MINI)
    award = make_award(tender_)
    explanation = explain_award(award.problem, award.result, rule_costs=False)
    pages = letters_html(award, explanation, notice_date=tender_.info.award_decision_date)
    made: list[str] = []

    def one_by_one():
        for key, html in pages.items():
            made.append(key)
            yield key, html

    done: list[str] = []
    pooled = tender.report.render_documents(one_by_one(), done.append, workers=2, count=3)
    assert made == sorted(pages) and sorted(done) == sorted(pages)
    assert pooled == {key: _render_pdf(html) for key, html in pages.items()}


def test_fetcher_serves_package_files_only() -> None:
    fetcher = PackageFetcher()
    assert fetcher.fetch("tender-package:fonts/DejaVuSans.ttf").read()[:4] == b"\x00\x01\x00\x00"
    for url in ("http://example.invalid/x.png", "file:///etc/passwd", "tender-package:../x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


@pytest.mark.parametrize(
    ("existing", "only"), [("report.pdf", "report"), ("letters/B2.pdf", "letters")]
)
def test_report_refuses_to_overwrite_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: str, only: str
) -> None:
    def not_now(*args, **kwargs):
        raise AssertionError("rendered before checking the outputs")

    monkeypatch.setattr(tender.publish, "build_documents", not_now)
    (tmp_path / existing).parent.mkdir(exist_ok=True)
    (tmp_path / existing).write_bytes(b"keep")
    result = CliRunner().invoke(
        cli.cli, ["report", str(MINI), "--out", str(tmp_path), "--only", only]
    )
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / existing} already exists; use --force" in result.stderr
    assert (tmp_path / existing).read_bytes() == b"keep"


# --- letters of a framework: many providers appointed per lot (hcl-2021) -------------------


@pytest.fixture(scope="module")
def hcl() -> tuple[Award, dict[str, str]]:
    tender_ = load_tender(FIXTURES / "hcl-2021")
    award = make_award(tender_)
    explanation = explain_award(award.problem, award.result, rule_costs=False)
    letters = letters_html(award, explanation, notice_date=tender_.info.award_decision_date)
    return award, letters


def z01(award: Award) -> tuple[list[str], list[str]]:
    """Z01's appointed providers' names in rank order, and the bidders it did not appoint."""
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    outcome = next(o for o in award.lots if o.lot_id == "Z01")
    appointed = sorted(outcome.appointments, key=lambda a: a.rank)
    ids = {a.bidder_id for a in appointed}
    others = [b.bidder_id for b in award.scores.for_lot("Z01") if b.bidder_id not in ids]
    return [names[a.bidder_id] for a in appointed], others


def test_hcl_letter_lists_every_appointed_provider_and_nothing_runs_off_the_page(
    hcl: tuple[Award, dict[str, str]],
) -> None:
    award, letters = hcl
    names, others = z01(award)
    assert len(names) == 13 and others
    pdf = _render_pdf(letters[others[0]])
    text = squeeze("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))
    section = text[text.index("LotZ01:") : text.index("LotZ03:")]
    for name in names:
        assert squeeze(name) in section, name
    # Named once in a sentence ("A, B and C"), compared with the lowest appointed bid (rank 13).
    assert squeeze(", ".join(names[:-1]) + " and " + names[-1]) in section
    assert squeeze(f"Lowest appointed: {names[-1]} (rank 13)") in section
    assert text_off_the_page(pdf) == []


def test_hcl_letter_compares_with_one_named_bid_whatever_the_winners(
    hcl: tuple[Award, dict[str, str]],
) -> None:
    award, letters = hcl
    names, others = z01(award)
    html = letters[others[0]]
    # Four figure columns however many are appointed: criterion, weight, 2 own, 2 reference.
    head = html[html.index("Lot Z01:") :]
    head = head[head.index('<table class="scores">') : head.index("</thead>")]
    assert head.count('colspan="2"') == 2 and "Winning mark" not in html
    assert " and ".join(names) not in html_text(html)


def test_a_successful_framework_bidder_is_one_of_n_appointed(
    hcl: tuple[Award, dict[str, str]],
) -> None:
    award, letters = hcl
    outcome = next(o for o in award.lots if o.lot_id == "Z01")
    top = min(outcome.appointments, key=lambda a: a.rank)
    text = html_text(letters[top.bidder_id])
    assert "successful: one of 13 providers appointed" in text  # the outcomes table
    assert "you are one of 13 providers appointed" in text
    own = next(b for b in award.scores.for_lot("Z01") if b.bidder_id == top.bidder_id)
    lowest = min(a.total for a in outcome.appointments)
    assert f"1 {own.total:.2f} {lowest:.2f} (lowest of 13)" in text  # rank, totals


def test_a_non_compliant_bid_is_not_evaluated_and_its_total_not_styled_won(
    hcl: tuple[Award, dict[str, str]],
) -> None:
    award, letters = hcl
    failed = next(b for b in award.scores.for_lot("Z01") if not b.compliant)
    html = letters[failed.bidder_id]
    lot = html[html.index("Lot Z01:") : html.index("Lot Z", html.index("Lot Z01:") + 1)]
    price = re.search(r"<td>Price points</td>.*?</tr>", lot).group(0)
    assert "not evaluated" in price and "0.00" not in price.split("</td>")[3]
    total = re.search(r'<tr class="([^"]*)"><td>Total</td>', lot).group(1)
    assert total.split() == ["total", "keep-previous"]
    assert "unsuccessful: not compliant not ranked not evaluated" in html_text(html)


def test_report_names_unfilled_places_and_leaves_non_compliant_totals_blank(
    hcl: tuple[Award, dict[str, str]],
) -> None:
    award, _ = hcl
    explanation = explain_award(award.problem, award.result, rule_costs=False)
    html = report_html(
        award,
        explanation,
        explanation_lines={},
        rule_lines=[],
        charts=award_charts(award),
        command="tender report",
    )
    text = html_text(html)
    assert "places unfilled)" not in text
    assert "Places unfilled in awarded lots Z12 Bottesford: 1 of 2 places filled" in text
    recommendation = text[text.index("Recommendation") : text.index("Summary")]
    assert "Not every place can be filled in 1 lot: Z12 Bottesford (1 of 2 places filled" in (
        recommendation
    )
    ranking = html[html.index('<table class="ranking">') :]
    row = re.search(r'<tr class="failed">(.*?)</tr>', ranking, re.DOTALL).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    assert cells[-3:-1] == ["&ndash;", "&ndash;"]  # price points and total
    assert re.fullmatch(r"\d+\.\d\d", cells[-6])  # the quality points stay
    for chart in award_charts(award).values():
        assert f"<figcaption>{chart.description}</figcaption>" in html


# --- pa2023: the assessment summary goes out before the contract award notice --------------


def test_pa2023_letter_gives_the_notice_date_and_the_standstill_end(
    mini: Path, tmp_path: Path
) -> None:
    toml = mini / "tender.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("2026-12-01", "2024-12-20"), encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["report", str(mini), "--out", str(out), "--only", "letters", "--html"]
    result = CliRunner().invoke(cli.cli, [*args, "--notice-date", "2024-12-24"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(document_names(load_tender(mini), only="letters", with_html=True))
    text = re.sub(r"\s+", " ", pdf_text(out / "letters" / "B1.pdf"))
    assert "Assessment summary" in text and "Date: Friday 20 December 2024" in text
    assert "begins on the day the contract award notice is published" in text
    assert "to be published on Tuesday 24 December 2024" in text
    # 24 Dec = day 1; 25, 26 Dec holidays; 27, 30, 31 Dec; 1 Jan holiday; 2, 3, 6, 7 Jan = 8.
    assert "ends at midnight at the end of Tuesday 7 January 2025" in text
    assert "was published" not in text


def test_a_notice_date_before_the_award_decision_is_warned_not_refused(tmp_path: Path) -> None:
    decided = load_tender(MINI).info.award_decision_date
    assert decided == date(2026, 12, 1)
    result = CliRunner().invoke(
        cli.cli,
        [
            "report",
            str(MINI),
            "--out",
            str(tmp_path),
            "--only",
            "letters",
            *["--notice-date", "2026-11-30"],
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: --notice-date 2026-11-30 is before the award decision date 2026-12-01"
        in result.stderr
    )
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == [
        "B1.pdf",
        "B2.pdf",
        "B3.pdf",
    ]


def test_reasons_are_said_to_the_bidder() -> None:
    from tender.report import _to_bidder

    assert _to_bidder("at its share cap (15% of tendered hours) (it holds 12, 14)", "B01") == (
        "you had reached your share cap (15% of tendered hours) (you are appointed to lots 12, 14)"
    )
    assert _to_bidder(
        "this lot alone (3,900 h/week) is more than its capacity (2,500 h/week)", "B01"
    ) == ("this lot alone (3,900 h/week) is more than your capacity (2,500 h/week)")
    assert _to_bidder("the award as a whole scores higher with B01 elsewhere or out", "B01") == (
        "the award as a whole scores higher with your tender placed elsewhere or not at all"
    )


def test_a_share_cap_is_shown_as_set_not_rounded() -> None:
    # A 0.7% cap (a large tender's) once read "at most 1%" in the rules table.
    env = tender.report._environment("GBP")
    shown = env.from_string("{{ a | rule_pct }} {{ b | rule_pct }}").render(a=0.007, b=0.15)
    assert shown == "0.7% 15%"
