"""hardening: the outbox forgets the secrets of sent mails

Revision ID: 0005_hardening
Revises: 0004_feature_contract
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_hardening'
down_revision = '0004_feature_contract'
branch_labels = None
depends_on = None

LINK_PATTERNS = ("%/compte/reinitialiser/%", "%/compte/confirmer/%")


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sensitive', sa.Text(), nullable=True))
    # Mails already sent kept their links in clear: those bodies go (what was sent is the past).
    for pattern in LINK_PATTERNS:
        op.execute(sa.text("UPDATE outgoing_mail SET body_text = '[message envoyé : lien retiré]', body_html = NULL "
                           "WHERE sent_at IS NOT NULL AND body_text LIKE :p").bindparams(p=pattern))


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('sensitive')
