"""tender: evaluate procurement tenders, optimise lot awards and explain them to a panel.

Kept light on purpose: ``optimiser`` imports ``tender.models`` and the CLI must start fast.
"""

__version__ = "0.1.0"
