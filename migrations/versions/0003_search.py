"""search index: search_entry, plus FTS5 (SQLite) or a tsvector column with a GIN index (PostgreSQL)

Revision ID: 0003_search
Revises: 0002_forums
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_search'
down_revision = '0002_forums'
branch_labels = None
depends_on = None


# SQLite: an external-content FTS5 table over search_entry(title, body); accents removed by the
# tokenizer; triggers keep it in step with the table (upserts fire the update trigger).
SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_entry_fts USING fts5(
        title, body, content='search_entry', content_rowid='id',
        tokenize = 'unicode61 remove_diacritics 2')""",
    # A reply's title is its thread's, shown but not indexed (see SearchKind.indexes_title).
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
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_entry_fts",
]

# PostgreSQL: the application writes search_vector from accent-stripped text (no unaccent
# extension needed); the GIN index serves `search_vector @@ plainto_tsquery('french', …)`.
POSTGRESQL_UP = [
    "ALTER TABLE search_entry ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX ix_search_entry_search_vector ON search_entry USING gin (search_vector)",
]
POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_search_entry_search_vector",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS search_vector",
]


def upgrade():
    op.create_table('search_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('solved', sa.Boolean(), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('thread_visible', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('thread', 'post', 'document', 'event')", name=op.f('ck_search_entry_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_search_entry_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_entry_kind_object_id'))
    )
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_index('ix_search_entry_author_id', ['author_id'], unique=False)
        batch_op.create_index('ix_search_entry_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_search_entry_thread_id', ['thread_id'], unique=False)

    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP}.get(dialect)
    if statements is None:
        raise RuntimeError(f"search index: unsupported database {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entry_thread_id')
        batch_op.drop_index('ix_search_entry_created_at')
        batch_op.drop_index('ix_search_entry_author_id')

    op.drop_table('search_entry')
