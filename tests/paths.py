"""Paths the tests share (importable as ``paths``: pytest puts tests/ on sys.path)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "tests" / "corpus"
GOLDEN = ROOT / "tests" / "golden"
MINI = CORPUS / "good" / "mini"
