"""Interchange commands: Excel workbooks in and out, OCDS and spreadsheet exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tender.cli import NOT_PROVEN_EXIT, _solver_options, _tender_dir, cli

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
    from tender.load import load_tender
    from tender.output import write_outputs

    tender = load_tender(source)
    if dest.suffix.lower() in _WORKBOOK_SUFFIXES:
        from tender.xlsx import workbook_bytes

        write_outputs(dest.parent, {dest.name: workbook_bytes(tender)}, force=force)
        click.echo(f"wrote {dest}")
        return
    from tender.export.folder import folder_files

    # A moderation.csv left from an earlier tender would be read as this one's: replace it.
    stale = (dest / "moderation.csv").exists()
    files = folder_files(tender, with_moderation=stale)
    write_outputs(dest, files, force=force)
    click.echo(f"wrote {', '.join(sorted(files))} to {dest}")


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
@_solver_options
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def export(
    directory: Path,
    fmt: str,
    out: Path,
    ocid_prefix: str | None,
    solver: str,
    time_limit: float,
    force: bool,
) -> None:
    """Solve the award and export it: a workbook, an OCDS release package or CSV files.

    OUT/award.xlsx has the award, rankings, scores, moderation and rule costs; OUT/ocds.json
    is an OCDS 1.1 release package (lots, bids and award criteria extensions);
    OUT/scores.csv and OUT/award.csv are the stable CSV files. Exit code 4 when the award
    is not proven optimal.

    Example:

        tender export fixtures/htlah-2016 --format ocds --out out/ --ocid-prefix ocds-a1b2c3
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
    tender = load_tender(directory)
    award = make_award(tender, solver=solver, time_limit=time_limit)
    if fmt == "xlsx":
        from optimiser.explain import explain_award
        from tender.export.award_xlsx import award_workbook_bytes

        explanation = explain_award(award.problem, award.result, time_limit=time_limit)
        files = {"award.xlsx": award_workbook_bytes(award, explanation)}
    elif fmt == "ocds":
        from tender.export.ocds import ocds_json

        files = {"ocds.json": ocds_json(award, ocid_prefix=ocid_prefix or PLACEHOLDER_PREFIX)}
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
    if not award.proven:
        click.echo("warning: the award is NOT PROVEN OPTIMAL", err=True)
        sys.exit(NOT_PROVEN_EXIT)
