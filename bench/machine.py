"""What the benchmark ran on: CPU, memory, software versions and the code's state.

No host name or user name is recorded: the tag that names result files is built from the
CPU model, core count and memory only (``amd-epyc-2cpu-23gb``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["describe", "machine_tag"]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cpu() -> tuple[str, int]:
    text = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    count = len(re.findall(r"^processor\s*:", text, re.MULTILINE))
    return (model.group(1).strip() if model else platform.processor() or "unknown"), count


def _ram_gb() -> float | None:
    found = re.search(r"^MemTotal:\s*(\d+)\s*kB", _read("/proc/meminfo"), re.MULTILINE)
    return int(found.group(1)) / 1024**2 if found else None


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cbc_version() -> str | None:
    import pulp

    try:
        done = subprocess.run(
            [pulp.PULP_CBC_CMD.pulp_cbc_path, "-quit"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"^Version:\s*(\S+)", done.stdout, re.MULTILINE)
    return found.group(1) if found else None


def _os() -> str:
    found = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.MULTILINE)
    release = found.group(1) if found else platform.system()
    return f"{release}, kernel {platform.release()} ({platform.machine()})"


def _code(root: Path) -> dict[str, Any]:
    """The commit and whether the measured code differs from it (another engineer may edit)."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip()

    diff = git("diff", "HEAD", "--", "optimiser", "tender", "templates")
    return {
        "commit": git("rev-parse", "HEAD") or None,
        "uncommitted_changes": bool(diff),
        "diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else None,
    }


def machine_tag(description: dict[str, Any]) -> str:
    """A file-name tag from the CPU model, core count and memory, e.g. ``amd-epyc-2cpu-23gb``."""
    model = re.sub(r"\((r|tm)\)|cpu|processor|@.*$", "", description["cpu_model"].lower())
    words = re.findall(r"[a-z0-9]+", model)[:3]
    ram = description["ram_gb"]
    parts = [*words, f"{description['cpu_count']}cpu"]
    if ram is not None:
        parts.append(f"{round(ram)}gb")
    return "-".join(parts)


def describe(root: Path) -> dict[str, Any]:
    """The machine and software the benchmark ran on.

    Args:
        root: The project folder (for the git commit).

    Returns:
        CPU model and count, RAM, OS, Python and solver versions, and the code's commit.
    """
    import highspy

    model, count = _cpu()
    # Module constants: creating a Highs object would print its banner on our stdout.
    highs = ".".join(
        str(part)
        for part in (
            highspy.HIGHS_VERSION_MAJOR,
            highspy.HIGHS_VERSION_MINOR,
            highspy.HIGHS_VERSION_PATCH,
        )
    )
    return {
        "cpu_model": model,
        "cpu_count": count,
        "os_cpu_count": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "os": _os(),
        "python": platform.python_version(),
        "pulp": _version("pulp"),
        "highspy": _version("highspy"),
        "highs": highs,
        "cbc": _cbc_version(),
        "weasyprint": _version("weasyprint"),
        "tender": _version("tender"),
        "code": _code(root),
    }
