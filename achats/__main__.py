"""`python -m achats …`: the `achats` command (the server starts its task consumer this way)."""

from achats.platform.cli import main

main()
