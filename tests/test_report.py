"""The panel's PDF report and the bidders' letters, checked through their text."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, GOLDEN, MINI
from pypdf import PdfReader

from tender import cli
from tender.load import load_tender
from tender.report import PackageFetcher


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


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


def test_fetcher_serves_package_files_only() -> None:
    fetcher = PackageFetcher()
    assert fetcher.fetch("tender-package:fonts/DejaVuSans.ttf").read()[:4] == b"\x00\x01\x00\x00"
    for url in ("http://example.invalid/x.png", "file:///etc/passwd", "tender-package:../x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_report_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"keep")
    result = CliRunner().invoke(
        cli.cli, ["report", str(MINI), "--out", str(tmp_path), "--only", "report"]
    )
    assert result.exit_code == 2
    assert (tmp_path / "report.pdf").read_bytes() == b"keep"
