"""feature contract: a generic search index with audiences, the shared tag table, CHECKs for states

Revision ID: 0004_feature_contract
Revises: 0003_search
Create Date: 2026-12-02 09:00:00

- search_entry: thread-shaped columns (thread_id, category_id, tags, solved, visible,
  thread_visible) become a container, facets, an owner and two audiences; the CHECK on kinds
  goes (features declare their types); a question's first message gets its own "post" entry
  (a shadow of the thread's), so a search restricted to messages finds it.
- forum_tag becomes tag (the platform's taxonomy, shared by every feature).
- every closed state column gets the CHECK constraint its StrEnum type generates.

Downgrading keeps the entries but not their categories and tags (facets have no column to go
back to): run `achats reindex` with the earlier code afterwards.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_feature_contract'
down_revision = '0003_search'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS_OLD = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
]
# The FTS5 table indexes the title only when the entry says so (a reply carries its thread's title).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_entry_fts(rowid, title, body)
        VALUES (new.id, CASE WHEN new.title_indexed THEN new.title ELSE '' END, new.body);
    END""",
    """CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body)
        VALUES ('delete', old.id, CASE WHEN old.title_indexed THEN old.title ELSE '' END, old.body);
    END""",
    """CREATE TRIGGER search_entry_au AFTER UPDATE OF title, title_indexed, body ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body)
        VALUES ('delete', old.id, CASE WHEN old.title_indexed THEN old.title ELSE '' END, old.body);
        INSERT INTO search_entry_fts(rowid, title, body)
        VALUES (new.id, CASE WHEN new.title_indexed THEN new.title ELSE '' END, new.body);
    END""",
]

# (table, column, constraint name, values)
STATE_CHECKS = [
    ("user", "status", "status", ("unconfirmed", "pending", "active", "rejected", "suspended", "deleted")),
    ("organisation", "kind", "kind", ("commune", "epci", "departement", "region", "hopital", "eple", "syndicat",
                                      "bailleur", "agence", "autre")),
    ("email_token", "purpose", "purpose", ("confirm_email", "reset_password")),
    ("forum_thread", "desk_status", "desk_status", ("nouvelle", "prise_en_charge", "repondue", "resolue")),
    ("moderation_flag", "reason", "reason", ("spam", "off_topic", "inappropriate", "confidential", "other")),
    ("moderation_flag", "status", "status", ("open", "upheld", "dismissed")),
]
TAG_FACETS = ("theme", "famille", "cpv", "levier", "procedure", "piece", "acheteur")


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    dialect = op.get_bind().dialect.name
    true, false = ("1", "0") if dialect == "sqlite" else ("true", "false")

    # --- the shared tag table -------------------------------------------------------------
    op.create_table('tag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('facet', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("facet", TAG_FACETS), name=op.f('ck_tag_facet')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
        sa.UniqueConstraint('slug', name=op.f('uq_tag_slug')),
    )
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_facet'), ['facet'], unique=False)
    op.execute("INSERT INTO tag (id, slug, name, facet, position) SELECT id, slug, name, facet, position FROM forum_tag")
    if dialect == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('tag', 'id'), COALESCE((SELECT MAX(id) FROM tag), 0) + 1, false)")
    with op.batch_alter_table('forum_thread_tag', schema=None) as batch_op:
        batch_op.drop_constraint('fk_forum_thread_tag_tag_id_forum_tag', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_forum_thread_tag_tag_id_tag'), 'tag', ['tag_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('forum_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_tag_facet')
    op.drop_table('forum_tag')

    # --- CHECK constraints on state columns -------------------------------------------------
    for table, column, name, values in STATE_CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(name, _in(column, values))

    # --- the generic search index ------------------------------------------------------------
    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS_OLD:
            op.execute(statement)
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_search_entry_kind'), type_='check')
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=30),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('title_indexed', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('container_type', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('container_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('facets', sa.Text(), nullable=False, server_default=' '))
        batch_op.add_column(sa.Column('audience', sa.String(length=40), nullable=False, server_default='members'))
        batch_op.add_column(sa.Column('container_audience', sa.String(length=40), nullable=False,
                                      server_default='members'))
        batch_op.add_column(sa.Column('shadow', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column('author_id', new_column_name='owner_id', existing_type=sa.Integer(),
                              existing_nullable=True)

    op.execute(f"""UPDATE search_entry SET
        title_indexed = CASE WHEN kind = 'post' THEN {false} ELSE {true} END,
        container_type = CASE WHEN thread_id IS NOT NULL THEN 'thread' END,
        container_id = thread_id,
        facets = ' ' || TRIM(
            CASE WHEN category_id IS NOT NULL THEN 'category:' || category_id ELSE '' END
            || CASE WHEN TRIM(tags) <> '' THEN ' tag:' || REPLACE(TRIM(tags), ' ', ' tag:') ELSE '' END
            || CASE WHEN solved IS NULL THEN '' WHEN solved THEN ' solved:1' ELSE ' solved:0' END
        ) || ' ',
        audience = CASE WHEN visible THEN 'members' ELSE 'role:moderator' END,
        container_audience = CASE WHEN thread_visible THEN 'members' ELSE 'role:moderator' END""")
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entry_thread_id')
        batch_op.drop_index('ix_search_entry_author_id')
        batch_op.drop_constraint('fk_search_entry_author_id_user', type_='foreignkey')
        for column in ('thread_id', 'category_id', 'tags', 'solved', 'visible', 'thread_visible'):
            batch_op.drop_column(column)
        batch_op.alter_column('title_indexed', server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.alter_column('facets', server_default=None, existing_type=sa.Text(), existing_nullable=False)
        batch_op.alter_column('audience', server_default=None, existing_type=sa.String(length=40),
                              existing_nullable=False)
        batch_op.alter_column('container_audience', server_default=None, existing_type=sa.String(length=40),
                              existing_nullable=False)
        batch_op.alter_column('shadow', server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_search_entry_owner_id_user'), 'user', ['owner_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_search_entry_container', ['container_type', 'container_id'], unique=False)
        batch_op.create_index('ix_search_entry_owner_id', ['owner_id'], unique=False)

    # A question's first message, found by a search restricted to messages (see the docstring);
    # once the old columns are gone (they were NOT NULL).
    vector = ", search_vector" if dialect == "postgresql" else ""
    vector_value = ", ts_filter(e.search_vector, '{b}')" if dialect == "postgresql" else ""
    op.execute(f"""INSERT INTO search_entry (kind, object_id, title, title_indexed, body, url, container_type,
            container_id, facets, owner_id, audience, container_audience, shadow, created_at, indexed_at{vector})
        SELECT 'post', p.id, e.title, {false}, e.body, e.url || '#message-1', 'thread', e.object_id, e.facets,
            e.owner_id, e.audience, e.container_audience, {true}, e.created_at, e.indexed_at{vector_value}
        FROM search_entry e JOIN forum_post p ON p.thread_id = e.object_id AND p.number = 1
        WHERE e.kind = 'thread' AND e.body <> ''""")

    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        # The batch copy renumbered nothing but the FTS table must match the rebuilt content table.
        op.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')")
    else:
        op.execute("ANALYZE search_entry")  # the planner's statistics of the new columns


def downgrade():
    dialect = op.get_bind().dialect.name
    true, false = ("1", "0") if dialect == "sqlite" else ("true", "false")
    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS_OLD:
            op.execute(statement)
    op.execute("DELETE FROM search_entry WHERE shadow = " + true)
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entry_owner_id')
        batch_op.drop_index('ix_search_entry_container')
        batch_op.drop_constraint('fk_search_entry_owner_id_user', type_='foreignkey')
        batch_op.add_column(sa.Column('thread_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.Text(), nullable=False, server_default=' '))
        batch_op.add_column(sa.Column('solved', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('visible', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('thread_visible', sa.Boolean(), nullable=False, server_default=sa.true()))
    # Facets back to columns: only what the forums wrote (category, tags, solved).
    op.execute(f"""UPDATE search_entry SET
        thread_id = CASE WHEN container_type = 'thread' THEN container_id END,
        visible = CASE WHEN audience = 'members' THEN {true} ELSE {false} END,
        thread_visible = CASE WHEN container_audience = 'members' THEN {true} ELSE {false} END,
        solved = CASE WHEN facets LIKE '% solved:1 %' THEN {true} WHEN facets LIKE '% solved:0 %' THEN {false} END""")
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        for column in ('shadow', 'container_audience', 'audience', 'facets', 'container_id', 'container_type',
                       'title_indexed'):
            batch_op.drop_column(column)
        batch_op.alter_column('owner_id', new_column_name='author_id', existing_type=sa.Integer(),
                              existing_nullable=True)
        batch_op.alter_column('kind', existing_type=sa.String(length=30), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_check_constraint('kind', "kind IN ('thread', 'post', 'document', 'event')")
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_search_entry_author_id_user', 'user', ['author_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_search_entry_author_id', ['author_id'], unique=False)
        batch_op.create_index('ix_search_entry_thread_id', ['thread_id'], unique=False)
    if dialect == "sqlite":
        for statement in (
            """CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
                INSERT INTO search_entry_fts(rowid, title, body)
                VALUES (new.id, CASE WHEN new.kind = 'post' THEN '' ELSE new.title END, new.body);
            END""",
            """CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
                INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body)
                VALUES ('delete', old.id, CASE WHEN old.kind = 'post' THEN '' ELSE old.title END, old.body);
            END""",
            """CREATE TRIGGER search_entry_au AFTER UPDATE OF title, body ON search_entry BEGIN
                INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body)
                VALUES ('delete', old.id, CASE WHEN old.kind = 'post' THEN '' ELSE old.title END, old.body);
                INSERT INTO search_entry_fts(rowid, title, body)
                VALUES (new.id, CASE WHEN new.kind = 'post' THEN '' ELSE new.title END, new.body);
            END""",
        ):
            op.execute(statement)
        op.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')")

    for table, column, name, values in reversed(STATE_CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_='check')

    op.create_table('forum_tag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('facet', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_tag')),
        sa.UniqueConstraint('slug', name=op.f('uq_forum_tag_slug')),
    )
    with op.batch_alter_table('forum_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_tag_facet'), ['facet'], unique=False)
    op.execute("INSERT INTO forum_tag (id, slug, name, facet, position) SELECT id, slug, name, facet, position FROM tag")
    with op.batch_alter_table('forum_thread_tag', schema=None) as batch_op:
        batch_op.drop_constraint('fk_forum_thread_tag_tag_id_tag', type_='foreignkey')
        batch_op.create_foreign_key('fk_forum_thread_tag_tag_id_forum_tag', 'forum_tag', ['tag_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.drop_index('ix_tag_facet')
    op.drop_table('tag')
