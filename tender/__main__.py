"""``python -m tender``: the same as the ``tender`` command."""

from tender.cli import main

main()
