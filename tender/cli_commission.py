"""Commissioners' commands: lotting scenarios, comparison, withdrawal and sensitivity."""

from __future__ import annotations
