"""SLA (business calendars, policies, clocks and segments, escalation rules) and the knowledge base.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:31:39.499930
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('business_calendars',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('weekly_hours', sa.JSON(), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_business_calendars_name'))
    )
    op.create_table('escalation_rules',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('clocks', sa.JSON(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('priorities', sa.JSON(), nullable=False),
    sa.Column('assign_group_id', sa.String(length=32), nullable=True),
    sa.Column('assign_agent_id', sa.String(length=64), nullable=True),
    sa.Column('raise_priority', sa.Boolean(), nullable=False),
    sa.Column('notify_account_manager', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_escalation_rules_name'))
    )
    with op.batch_alter_table('escalation_rules', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_rules_trigger', ['trigger', 'position', 'id'], unique=False)

    op.create_table('kb_categories',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_kb_categories_name'))
    )
    op.create_table('sla_clocks',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.String(length=32), nullable=False),
    sa.Column('calendar_id', sa.String(length=32), nullable=True),
    sa.Column('target_seconds', sa.Integer(), nullable=False),
    sa.Column('warning_share', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_clocks'))
    )
    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_sla_clocks_status_check', ['status', 'next_check_at'], unique=False)
        batch_op.create_index('ix_sla_clocks_ticket', ['ticket_id', 'kind', 'sequence'], unique=False)

    op.create_table('sla_tickets',
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('policy_id', sa.String(length=32), nullable=True),
    sa.Column('policy_name', sa.String(length=100), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_sla_tickets'))
    )
    op.create_table('kb_articles',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('category_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('published_revision', sa.Integer(), nullable=True),
    sa.Column('published_title', sa.String(length=300), nullable=True),
    sa.Column('published_body', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], name=op.f('fk_kb_articles_category_id_kb_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles'))
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index('ix_kb_articles_category_updated', ['category_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_kb_articles_status_updated', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('sla_clock_segments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('clock_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['clock_id'], ['sla_clocks.id'], name=op.f('fk_sla_clock_segments_clock_id_sla_clocks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_clock_segments'))
    )
    with op.batch_alter_table('sla_clock_segments', schema=None) as batch_op:
        batch_op.create_index('ix_sla_clock_segments_clock', ['clock_id', 'started_at', 'id'], unique=False)

    op.create_table('sla_policies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('priorities', sa.JSON(), nullable=False),
    sa.Column('types', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('first_response_seconds', sa.Integer(), nullable=True),
    sa.Column('next_response_seconds', sa.Integer(), nullable=True),
    sa.Column('resolution_seconds', sa.Integer(), nullable=True),
    sa.Column('calendar_id', sa.String(length=32), nullable=True),
    sa.Column('warning_share', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendars.id'], name=op.f('fk_sla_policies_calendar_id_business_calendars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('name', name=op.f('uq_sla_policies_name'))
    )
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.create_index('ix_sla_policies_position', ['position', 'id'], unique=False)

    op.create_table('kb_article_revisions',
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_revisions_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'number', name=op.f('pk_kb_article_revisions'))
    )
    op.create_table('kb_article_tickets',
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('linked_by', sa.String(length=64), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_tickets_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_kb_article_tickets_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('article_id', 'ticket_id', name=op.f('pk_kb_article_tickets'))
    )
    with op.batch_alter_table('kb_article_tickets', schema=None) as batch_op:
        batch_op.create_index('ix_kb_article_tickets_ticket', ['ticket_id', 'article_id'], unique=False)

    _create_search_index()


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table('kb_article_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_article_tickets_ticket')

    op.drop_table('kb_article_tickets')
    op.drop_table('kb_article_revisions')
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_policies_position')

    op.drop_table('sla_policies')
    with op.batch_alter_table('sla_clock_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_clock_segments_clock')

    op.drop_table('sla_clock_segments')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_articles_status_updated')
        batch_op.drop_index('ix_kb_articles_category_updated')

    op.drop_table('kb_articles')
    op.drop_table('sla_tickets')
    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_clocks_ticket')
        batch_op.drop_index('ix_sla_clocks_status_check')

    op.drop_table('sla_clocks')
    op.drop_table('kb_categories')
    with op.batch_alter_table('escalation_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_rules_trigger')

    op.drop_table('escalation_rules')
    op.drop_table('business_calendars')


# Full-text search over the published title (weight A) and body (weight B) of published articles.
# SQLite: an FTS5 table kept in step by triggers. PostgreSQL: a generated tsvector column with a GIN index.
FTS_TRIGGERS = {
    "kb_articles_fts_insert": "AFTER INSERT ON kb_articles BEGIN {index} END",
    "kb_articles_fts_update": "AFTER UPDATE ON kb_articles BEGIN {unindex} {index} END",
    "kb_articles_fts_delete": "AFTER DELETE ON kb_articles BEGIN {unindex} END",
}
FTS_INDEX = (
    "INSERT INTO kb_articles_fts (article_id, title, body) SELECT new.id, new.published_title, "
    "new.published_body WHERE new.status = 'published';"
)
FTS_UNINDEX = "DELETE FROM kb_articles_fts WHERE article_id = old.id;"
TSVECTOR = (
    "setweight(to_tsvector('english', coalesce(published_title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(published_body, '')), 'B')"
)


def _create_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE kb_articles_fts USING fts5("
            "article_id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} " + body.format(index=FTS_INDEX, unindex=FTS_UNINDEX))
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE kb_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({TSVECTOR}) STORED")
        op.execute("CREATE INDEX ix_kb_articles_search ON kb_articles USING GIN (search_vector)")


def _drop_search_index() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS kb_articles_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_kb_articles_search")
