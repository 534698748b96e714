"""`achats reindex`: rebuild the search index from every feature that registered a reindexer."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("reindex")
@click.option("--only", multiple=True, help="Only this entry type (repeatable), e.g. --only thread.")
@with_appcontext
def reindex_command(only: tuple[str, ...]) -> None:
    """Rebuild the full-text search index (idempotent)."""
    from achats.platform.extensions import db
    from achats.platform.search import reindex, reindexable_types

    known = reindexable_types()
    if not known:
        click.echo("Aucun contenu à indexer : aucune fonctionnalité n'a déclaré d'indexation.")
        return
    unknown = [name for name in only if name not in known]
    if unknown:
        raise click.ClickException(
            f"Indexation inconnue : {', '.join(unknown)} (disponibles : {', '.join(sorted(known))})")
    try:
        counts = reindex(db.session, only or None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for name, count in counts.items():
        click.echo(f"{name} : {count} élément(s) indexé(s).")
    click.echo("Index de recherche à jour.")
