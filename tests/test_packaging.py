"""The wheel carries the templates and the examples, so a non-editable install works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from paths import ROOT

SKIP = {".venv", ".git", "out", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis"}


def test_wheel_runs_init_example_and_validate(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=lambda d, names: [n for n in names if n in SKIP or n.endswith(".egg-info")],
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("tender-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "tender/templates/blank-tender.toml" in names
    assert "tender/fixtures/hcl-2021/lots.csv" in names
    # Every module of the source tree ships: a package left out of pyproject.toml would only
    # fail when a user runs the command that imports it.
    modules = {
        str(path.relative_to(ROOT))
        for folder in ("tender", "optimiser")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert modules <= set(names), sorted(modules - set(names))
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tender", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    made = run("init", "--example", "hcl-2021", str(tmp_path / "x"))
    assert made.returncode == 0, made.stderr
    checked = run("validate", str(tmp_path / "x"))
    assert checked.returncode == 0, checked.stderr
    assert "14 in" in checked.stdout
    scored = run("score", str(tmp_path / "x"), "--out", str(tmp_path / "scores"))
    assert scored.returncode == 0, scored.stderr
    assert (tmp_path / "scores" / "scores.csv").is_file()
    awarded = run("award", str(tmp_path / "x"), "--out", str(tmp_path / "award"))
    assert awarded.returncode == 0, awarded.stderr
    exported = run("export", str(tmp_path / "x"), "--format", "ocds", "--out", str(tmp_path / "o"))
    assert exported.returncode == 0, exported.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import tender; print(tender.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.startswith(str(site))
