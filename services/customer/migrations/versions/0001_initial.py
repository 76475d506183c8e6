"""Accounts, tags, contacts, interactions, custom field definitions, and the kit tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:50:09.508157
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Normalised search keys compare byte by byte on PostgreSQL too (see customer.db.SearchKey).
KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', KEY, nullable=False),
    sa.Column('dedupe_key', KEY, nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('domain', sa.String(length=253), nullable=True),
    sa.Column('address', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('owner_id', sa.String(length=64), nullable=True),
    sa.Column('lifecycle_stage', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('tier_rank', sa.SmallInteger(), nullable=False),
    sa.Column('custom_fields', sa.JSON(), nullable=False),
    sa.Column('merged_into_id', sa.String(length=32), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['accounts.id'], name=op.f('fk_accounts_merged_into_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index('ix_accounts_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_accounts_dedupe_key', ['dedupe_key'], unique=False)
        batch_op.create_index('ix_accounts_domain', ['domain'], unique=False)
        batch_op.create_index('ix_accounts_name', ['name_key', 'id'], unique=False)
        batch_op.create_index('ix_accounts_owner_created', ['owner_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_accounts_owner_name', ['owner_id', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_accounts_owner_tier', ['owner_id', 'tier_rank', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_accounts_stage_created', ['lifecycle_stage', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_accounts_stage_name', ['lifecycle_stage', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_accounts_stage_tier', ['lifecycle_stage', 'tier_rank', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_accounts_tier_created', ['tier_rank', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_accounts_tier_name', ['tier_rank', 'name_key', 'id'], unique=False)

    op.create_table('custom_field_definitions',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('options', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_custom_field_definitions'))
    )
    op.create_table('account_tags',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.Column('name_key', KEY, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tier_rank', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_tags_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'tag', name=op.f('pk_account_tags'))
    )
    with op.batch_alter_table('account_tags', schema=None) as batch_op:
        batch_op.create_index('ix_account_tags_tag_created', ['tag', 'created_at', 'account_id'], unique=False)
        batch_op.create_index('ix_account_tags_tag_name', ['tag', 'name_key', 'account_id'], unique=False)
        batch_op.create_index('ix_account_tags_tag_tier', ['tag', 'tier_rank', 'name_key', 'account_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', KEY, nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('preferred_channel', sa.String(length=16), nullable=True),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_contacts_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_account_created', ['account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_contacts_account_name', ['account_id', 'name_key', 'id'], unique=False)
        batch_op.create_index('ix_contacts_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_contacts_name', ['name_key', 'id'], unique=False)

    op.create_table('contact_emails',
    sa.Column('contact_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_emails_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'email', name=op.f('pk_contact_emails'))
    )
    with op.batch_alter_table('contact_emails', schema=None) as batch_op:
        batch_op.create_index('ix_contact_emails_email', ['email'], unique=False)

    op.create_table('contact_phones',
    sa.Column('contact_id', sa.String(length=32), nullable=False),
    sa.Column('number_key', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_phones_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'number_key', name=op.f('pk_contact_phones'))
    )
    with op.batch_alter_table('contact_phones', schema=None) as batch_op:
        batch_op.create_index('ix_contact_phones_number_key', ['number_key'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('contact_id', sa.String(length=32), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('external_ref', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_interactions_account_id_accounts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interactions_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions')),
    sa.UniqueConstraint('source', 'external_ref', name=op.f('uq_interactions_source_external_ref'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_timeline', ['account_id', 'occurred_at', 'id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('response_headers', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', 'principal')
    )
    op.create_table('inbox',
    sa.Column('queue', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('queue', 'source', 'event_id')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_handled_at'), ['handled_at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['id'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_outbox_published_at'), ['published_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_handled_at'))

    op.drop_table('inbox')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_timeline')

    op.drop_table('interactions')
    with op.batch_alter_table('contact_phones', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_phones_number_key')

    op.drop_table('contact_phones')
    with op.batch_alter_table('contact_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_emails_email')

    op.drop_table('contact_emails')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_name')
        batch_op.drop_index('ix_contacts_created')
        batch_op.drop_index('ix_contacts_account_name')
        batch_op.drop_index('ix_contacts_account_created')

    op.drop_table('contacts')
    with op.batch_alter_table('account_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_account_tags_tag_tier')
        batch_op.drop_index('ix_account_tags_tag_name')
        batch_op.drop_index('ix_account_tags_tag_created')

    op.drop_table('account_tags')
    op.drop_table('custom_field_definitions')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_tier_name')
        batch_op.drop_index('ix_accounts_tier_created')
        batch_op.drop_index('ix_accounts_stage_tier')
        batch_op.drop_index('ix_accounts_stage_name')
        batch_op.drop_index('ix_accounts_stage_created')
        batch_op.drop_index('ix_accounts_owner_tier')
        batch_op.drop_index('ix_accounts_owner_name')
        batch_op.drop_index('ix_accounts_owner_created')
        batch_op.drop_index('ix_accounts_name')
        batch_op.drop_index('ix_accounts_domain')
        batch_op.drop_index('ix_accounts_dedupe_key')
        batch_op.drop_index('ix_accounts_created')

    op.drop_table('accounts')
