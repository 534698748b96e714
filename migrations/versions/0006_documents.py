"""the document library: documents, their versions and extracted pages, themes and CPV codes,
retours d'usage, download visits, citing posts; files attached to forum posts

Revision ID: 0006_documents
Revises: 0005_hardening
Create Date: 2026-12-02 00:48:51

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_documents'
down_revision = '0005_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('doc_type', sa.Enum('rc', 'ae', 'ccap', 'cctp', 'bpu', 'dqe', 'dpgf', 'rapport_analyse', 'clausier', 'guide', 'deliberation', 'retour_experience', 'support_webinaire', 'autre', name='doc_type', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('famille', sa.Enum('travaux', 'fournitures', 'services', name='famille', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('levier', sa.Enum('definition-du-besoin', 'specification-technique', 'critere-d-attribution', 'condition-d-execution', 'reservation', 'allotissement', name='levier', native_enum=False, create_constraint=True, length=30), nullable=True),
    sa.Column('procedure', sa.Enum('mapa', 'appel-d-offres', 'accord-cadre', 'autre', name='procedure', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('licence', sa.Enum('licence_ouverte_2', 'cc_by', 'cc_by_nc', 'tous_droits_reserves', name='licence', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('up_to_date_on', sa.Date(), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('visibility', sa.Enum('members', 'public', name='visibility', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending_review', 'published', 'rejected', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('download_count', sa.Integer(), nullable=False),
    sa.Column('source_thread_id', sa.Integer(), nullable=True),
    sa.Column('source_post_id', sa.Integer(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.CheckConstraint('year IS NULL OR (year BETWEEN 1990 AND 2100)', name=op.f('ck_document_year')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_document_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_document_owner_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('slug', name=op.f('uq_document_slug'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_published', ['published_at', 'id'], unique=False,
                              postgresql_where=sa.text("status = 'published' AND hidden = false"),
                              sqlite_where=sa.text("status = 'published' AND hidden = 0"))
        batch_op.create_index(batch_op.f('ix_document_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_owner_id'), ['owner_id'], unique=False)

    op.create_table('document_citation',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('thread_title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_citation_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'post_id', name=op.f('pk_document_citation'))
    )
    with op.batch_alter_table('document_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_citation_thread_id'), ['thread_id'], unique=False)

    op.create_table('document_cpv',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_cpv_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'code', name=op.f('pk_document_cpv'))
    )
    with op.batch_alter_table('document_cpv', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_cpv_division'), ['division'], unique=False)

    op.create_table('document_download',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_download_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'visitor', 'day', name=op.f('pk_document_download'))
    )
    op.create_table('document_reuse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('procedure', sa.Enum('mapa', 'appel-d-offres', 'accord-cadre', 'autre', name='procedure', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('bids_received', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('awarded', 'unsuccessful', name='outcome', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bids_received BETWEEN 0 AND 999', name=op.f('ck_document_reuse_bids_received')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_document_reuse_year')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_reuse_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_document_reuse_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_reuse'))
    )
    with op.batch_alter_table('document_reuse', schema=None) as batch_op:
        batch_op.create_index('ix_document_reuse_document', ['document_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_reuse_user_id'), ['user_id'], unique=False)

    op.create_table('document_tag',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_tag_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_document_tag_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'tag_id', name=op.f('pk_document_tag'))
    )
    with op.batch_alter_table('document_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('file_kind', sa.Enum('pdf', 'docx', 'xlsx', 'odt', 'ods', name='file_kind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('status', sa.Enum('pending_review', 'published', 'rejected', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redaction_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('redaction_confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('text_status', sa.Enum('pending', 'done', 'failed', name='text_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('text_error', sa.String(length=300), nullable=True),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('preview_key', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['redaction_confirmed_by_id'], ['user.id'], name=op.f('fk_document_version_redaction_confirmed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_document_version_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_document_version_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_version_document_id_number'))
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_document_id'), ['document_id'], unique=False)

    # document.current_version_id -> document_version (a cycle: added once both tables exist)
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_document_current_version_id_document_version'), 'document_version',
                                    ['current_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('document_page',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['document_version.id'], name=op.f('fk_document_page_version_id_document_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'number', name=op.f('pk_document_page'))
    )
    op.create_table('forum_post_attachment',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_post_attachment_post_id_forum_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'attachment_id', name=op.f('pk_forum_post_attachment'))
    )


def downgrade():
    op.execute("DELETE FROM search_entry WHERE kind = 'document'")
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_current_version_id_document_version'), type_='foreignkey')
    op.drop_table('forum_post_attachment')
    op.drop_table('document_page')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_document_id'))

    op.drop_table('document_version')
    with op.batch_alter_table('document_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_tag_tag_id'))

    op.drop_table('document_tag')
    with op.batch_alter_table('document_reuse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_reuse_user_id'))
        batch_op.drop_index('ix_document_reuse_document')

    op.drop_table('document_reuse')
    op.drop_table('document_download')
    with op.batch_alter_table('document_cpv', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_cpv_division'))

    op.drop_table('document_cpv')
    with op.batch_alter_table('document_citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_citation_thread_id'))

    op.drop_table('document_citation')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_owner_id'))
        batch_op.drop_index(batch_op.f('ix_document_organisation_id'))
        batch_op.drop_index('ix_document_published')

    op.drop_table('document')
