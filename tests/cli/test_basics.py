from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import CORPUS, FIXTURES, MINI

from tender import __version__, cli


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(cli.cli.commands))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = cli.cli.commands[name]
    assert command.help and "Example:" in command.help
    result = run(name, "--help")
    assert result.exit_code == 0


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_validate_prints_a_summary() -> None:
    result = run("validate", str(MINI))
    assert result.exit_code == 0, result.output
    assert "3 in 2 groups, 7,500 hours per week" in result.output
    assert "valid" in result.output


def test_validate_reads_and_applies_every_scenario(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "t"
    shutil.copytree(MINI, folder)
    (folder / "scenarios").mkdir(exist_ok=True)
    (folder / "scenarios" / "fine.toml").write_text("[rules]\nmax_lots_per_bidder = 1\n")
    result = run("validate", str(folder))
    assert result.exit_code == 0, result.output
    assert "scenarios:" in result.output and "fine" in result.output
    # Each broken scenario is reported, as compare would find it, not only the first.
    (folder / "scenarios" / "merge.toml").write_text('[scenario]\nmerge = [["L1", "L99"]]\n')
    (folder / "scenarios" / "typo.toml").write_text("[rules]\nmax_lots = 1\n")
    result = run("validate", str(folder))
    assert result.exit_code == 2
    assert "scenarios/merge.toml: merge: unknown id L99" in result.output
    assert "scenarios/typo.toml:2: rules.max_lots: unknown key" in result.output
    assert "valid" not in result.output.replace("invalid", "")


def test_validate_checks_a_workbooks_scenarios_too(tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "h.xlsx"
    assert run("convert", str(FIXTURES / "htlah-2016"), str(book)).exit_code == 0
    result = run("validate", str(book))
    assert result.exit_code == 0, result.output
    assert "scenarios:  5 (max-2-lots," in result.output
    workbook = openpyxl.load_workbook(book)
    workbook["scenarios"]["B2"] = "[rules]\nmax_lots = 2\n"
    workbook.save(book)
    result = run("validate", str(book))
    assert result.exit_code == 2
    assert "rules.max_lots: unknown key" in result.output


def test_bad_input_exits_2_with_location_and_no_traceback() -> None:
    result = CliRunner().invoke(cli.cli, ["validate", str(CORPUS / "bad" / "wrong-type")])
    assert result.exit_code == 2
    assert "error: lots.csv:3: hours_per_week: not a number: 'abc'" in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback() -> None:
    result = CliRunner().invoke(
        cli.cli, ["--debug", "validate", str(CORPUS / "bad" / "wrong-type")]
    )
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "InputError"


def test_a_bug_exits_1_without_traceback(monkeypatch) -> None:
    import tender.load

    def boom(folder):
        raise RuntimeError("kaput")

    monkeypatch.setattr(tender.load, "load_tender", boom)
    result = CliRunner().invoke(cli.cli, ["validate", str(MINI)])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: kaput" in result.output
    assert "--debug" in result.output


def test_init_blank_writes_headers_and_a_commented_toml(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "t"))
    assert result.exit_code == 0
    assert (tmp_path / "t" / "lots.csv").read_text() == (
        "lot_id,name,group,hours_per_week,band,min_providers,max_providers\n"
    )
    assert "# A tender" in (tmp_path / "t" / "tender.toml").read_text()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli.cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty; use --force" in result.output
    assert not (tmp_path / "tender.toml").exists()


def test_init_unknown_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.cli, ["init", "--example", "nope", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "no example called 'nope'" in result.output


BAD_CASES = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", BAD_CASES, ids=[p.name for p in BAD_CASES])
def test_every_bad_input_exits_2_cleanly(case: Path, tmp_path: Path) -> None:
    expected = [
        line
        for line in (case / "EXPECTED").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    for command in (["validate", str(case)], ["score", str(case), "--out", str(tmp_path)]):
        result = CliRunner().invoke(cli.cli, command)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert expected[0] in result.output
    assert list(tmp_path.iterdir()) == []  # nothing half-written
