"""`python -m achats …`: the `achats` command (the server starts its task consumer this way)."""

from achats.cli import main

main()
