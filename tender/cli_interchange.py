"""Interchange commands: Excel workbooks in and out, OCDS and spreadsheet exports."""

from __future__ import annotations
