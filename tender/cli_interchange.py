"""Interchange commands: Excel workbooks in and out, OCDS and spreadsheet exports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tender.cli import NOT_PROVEN_EXIT, _solver_options, _tender_dir, cli

if TYPE_CHECKING:
    from tender.award import Award
    from tender.compare import Comparison

__all__ = ["convert", "export"]

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@cli.command()
@click.argument("source", type=_tender_dir())
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def convert(source: Path, dest: Path, force: bool) -> None:
    """Convert a tender folder to an .xlsx workbook, or a workbook to a folder.

    DEST ending in .xlsx is written as a workbook; anything else as a tender folder
    (tender.toml and the CSV files). The tender is validated first, so only a valid
    tender is converted.

    Example:

        tender convert fixtures/htlah-2016 htlah.xlsx
        tender convert htlah.xlsx htlah-folder
    """
    from tender.load import SCENARIO_DIR, load_tender
    from tender.output import write_outputs
    from tender.xlsx import carried_scenarios

    tender = load_tender(source)
    scenarios = carried_scenarios(source)
    if dest.suffix.lower() in _WORKBOOK_SUFFIXES:
        from tender.xlsx import workbook_bytes

        data = workbook_bytes(tender, scenarios=scenarios)
        write_outputs(dest.parent, {dest.name: data}, force=force)
        click.echo(f"wrote {dest}" + _carried(scenarios))
        return
    from tender.errors import OutputExistsError
    from tender.export.folder import folder_files

    # A moderation.csv left from an earlier tender would be read as this one's: replace it.
    stale = (dest / "moderation.csv").exists()
    files = folder_files(tender, with_moderation=stale)
    for name, text in scenarios.items():
        files[f"{SCENARIO_DIR}/{name}.toml"] = text.encode("utf-8")
    # So would a scenario file left there: refused, or with --force removed once the rest
    # is written (the folder then holds this tender and only its scenarios).
    strays = sorted(
        path for path in (dest / SCENARIO_DIR).glob("*.toml") if path.stem not in scenarios
    )
    if strays and not force:
        raise OutputExistsError(
            f"{', '.join(str(p) for p in strays)} would be read as this tender's scenario"
            f"{'s' if len(strays) > 1 else ''}; use --force to remove "
            f"{'them' if len(strays) > 1 else 'it'}"
        )
    write_outputs(dest, files, force=force)
    for path in strays:
        path.unlink()
    click.echo(f"wrote {', '.join(sorted(files))} to {dest}")
    if strays:
        click.echo(f"removed {', '.join(str(p) for p in strays)}: not scenarios of this tender")


def _carried(scenarios: dict[str, str]) -> str:
    if not scenarios:
        return ""
    return f" with {len(scenarios)} scenario{'s' if len(scenarios) > 1 else ''} (sheet scenarios)"


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "ocds", "csv"]),
    required=True,
    help="xlsx: award.xlsx; ocds: ocds.json (OCDS 1.1); csv: scores.csv and award.csv.",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option(
    "--ocid-prefix",
    metavar="PREFIX",
    help="Your registered OCDS ocid prefix (ocds-xxxxxx is a placeholder).",
)
@click.option(
    "--uri",
    metavar="URL",
    help="Where ocds.json will be published: the package's uri (default: a placeholder "
    "under example.invalid).",
)
@_solver_options
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def export(
    directory: Path,
    fmt: str,
    out: Path,
    ocid_prefix: str | None,
    uri: str | None,
    solver: str,
    time_limit: float,
    force: bool,
) -> None:
    """Solve the award and export it: a workbook, an OCDS release package or CSV files.

    OUT/award.xlsx has the award, rankings, scores, moderation and rule costs, and the
    comparison of the tender's scenarios when it has any (as tender compare); OUT/ocds.json
    is an OCDS 1.1 release package (lots, bids and award criteria extensions);
    OUT/scores.csv and OUT/award.csv are the stable CSV files. Exit code 4 when the award
    is not proven optimal.

    Example:

        tender export fixtures/htlah-2016 --format ocds --out out/ --ocid-prefix ocds-a1b2c3

        tender export htlah.xlsx --format ocds --out out/ --uri https://example.org/ocds.json
    """
    from tender.award import make_award
    from tender.export.ocds import OCID_PREFIX_PATTERN, PLACEHOLDER_PREFIX
    from tender.load import load_tender
    from tender.output import write_outputs

    if ocid_prefix is not None and fmt != "ocds":
        raise click.BadParameter("only with --format ocds", param_hint="--ocid-prefix")
    if ocid_prefix is not None and not OCID_PREFIX_PATTERN.match(ocid_prefix):
        raise click.BadParameter(
            f"{ocid_prefix!r}: a registered prefix is ocds- and 6 lower-case letters or digits",
            param_hint="--ocid-prefix",
        )
    if uri is not None:
        from tender.export.ocds import check_uri

        if fmt != "ocds":
            raise click.BadParameter("only with --format ocds", param_hint="--uri")
        try:
            check_uri(uri)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--uri") from None
    tender = load_tender(directory)
    award = make_award(tender, solver=solver, time_limit=time_limit)
    comparison = None
    if fmt == "xlsx":
        from optimiser.explain import explain_award
        from tender.export.award_xlsx import award_workbook_bytes

        explanation = explain_award(award.problem, award.result, time_limit=time_limit)
        comparison = _comparison(directory, award, solver=solver, time_limit=time_limit)
        files = {"award.xlsx": award_workbook_bytes(award, explanation, comparison=comparison)}
    elif fmt == "ocds":
        from tender.export.ocds import ocds_json

        prefix = ocid_prefix or PLACEHOLDER_PREFIX
        files = {"ocds.json": ocds_json(award, ocid_prefix=prefix, uri=uri)}
    else:
        from tender.export.award import award_csv
        from tender.export.scores import scores_csv

        files = {"scores.csv": scores_csv(tender, award.scores), "award.csv": award_csv(award)}
    written = write_outputs(out, files, force=force)
    click.echo(f"wrote {', '.join(str(p) for p in written)}")
    if fmt == "ocds" and ocid_prefix is None:
        click.echo(
            f"warning: the ocid prefix is the placeholder {PLACEHOLDER_PREFIX}; "
            "pass --ocid-prefix with the one registered for your organisation",
            err=True,
        )
    if fmt == "ocds" and uri is None:
        click.echo(
            "warning: the package uri is a placeholder under example.invalid; "
            "pass --uri with the address where ocds.json will be published",
            err=True,
        )
    if fmt == "xlsx" and comparison is not None and not comparison.proven:
        click.echo(
            "warning: some scenarios' awards are NOT PROVEN OPTIMAL (sheet comparison, status)",
            err=True,
        )
    if not award.proven:
        click.echo("warning: the award is NOT PROVEN OPTIMAL", err=True)
        sys.exit(NOT_PROVEN_EXIT)


def _comparison(source: Path, award: Award, *, solver: str, time_limit: float) -> Comparison | None:
    """The tender's shipped scenarios compared as ``tender compare`` does; None without any."""
    from tender.cli_commission import _scenarios
    from tender.compare import compare_scenarios
    from tender.console import progress_bar

    scenarios = _scenarios(source, (), ())
    if not scenarios:
        return None
    with progress_bar("scenarios", len(scenarios)) as advance:
        return compare_scenarios(
            award.tender,
            scenarios,
            solver=solver,
            time_limit=time_limit,
            rule_costs=False,
            baseline=award,
            progress=advance,
        )
