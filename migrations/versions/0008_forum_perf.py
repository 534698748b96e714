"""forum and search speed: the thread list's order as an index, who owns restricted search entries

Revision ID: 0008_forum_perf
Revises: 0007_events
Create Date: 2026-12-02 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_forum_perf'
down_revision = '0007_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_forum_thread_category_list', 'forum_thread',
                    ['category_id', sa.text('pinned DESC'), 'archived', sa.text('last_activity_at DESC'),
                     sa.text('id DESC')], unique=False)
    op.create_index('ix_search_entry_audience_owner', 'search_entry', ['audience', 'owner_id'], unique=False)


def downgrade():
    op.drop_index('ix_search_entry_audience_owner', table_name='search_entry')
    op.drop_index('ix_forum_thread_category_list', table_name='forum_thread')
