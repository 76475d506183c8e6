"""Sales core: account read model, reps, leads, web forms, assignment rules, pipelines, opportunities, activities; kit tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 03:29:41.720401
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_views',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('domain', sa.String(length=253), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('lifecycle_stage', sa.String(length=16), nullable=True),
    sa.Column('merged_into_id', sa.String(length=32), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_views'))
    )
    with op.batch_alter_table('account_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_views_domain'), ['domain'], unique=False)

    op.create_table('assignment_rules',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('strategy', sa.String(length=16), nullable=False),
    sa.Column('rep_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rules'))
    )
    op.create_table('contact_views',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_views'))
    )
    with op.batch_alter_table('contact_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_views_account_id'), ['account_id'], unique=False)

    op.create_table('leads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=True),
    sa.Column('owner_team', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=True),
    sa.Column('web_form_id', sa.String(length=32), nullable=True),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('consent', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('duplicates', sa.JSON(), nullable=False),
    sa.Column('disqualify_reason', sa.String(length=32), nullable=True),
    sa.Column('disqualify_note', sa.String(length=500), nullable=True),
    sa.Column('assignment_rule_id', sa.String(length=32), nullable=True),
    sa.Column('opportunity_id', sa.String(length=32), nullable=True),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('contact_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('qualified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('converted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads'))
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_leads_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_email_key'), ['email_key'], unique=False)
        batch_op.create_index('ix_leads_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_leads_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_leads_team_created', ['owner_team', 'created_at', 'id'], unique=False)

    op.create_table('loss_reasons',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loss_reasons')),
    sa.UniqueConstraint('name', name=op.f('uq_loss_reasons_name'))
    )
    op.create_table('pipelines',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipelines')),
    sa.UniqueConstraint('name', name=op.f('uq_pipelines_name'))
    )
    op.create_table('reps',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('team', sa.String(length=64), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reps'))
    )
    with op.batch_alter_table('reps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reps_team'), ['team'], unique=False)

    op.create_table('visit_plans',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('owner_team', sa.String(length=64), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_plans'))
    )
    with op.batch_alter_table('visit_plans', schema=None) as batch_op:
        batch_op.create_index('ix_visit_plans_owner_day', ['owner_id', 'day'], unique=False)

    op.create_table('assignment_cursors',
    sa.Column('rule_id', sa.String(length=32), nullable=False),
    sa.Column('last_rep_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['rule_id'], ['assignment_rules.id'], name=op.f('fk_assignment_cursors_rule_id_assignment_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', name=op.f('pk_assignment_cursors'))
    )
    op.create_table('web_forms',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_prefix', sa.String(length=12), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=True),
    sa.Column('consent_text', sa.String(length=1000), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_forms')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_web_forms_key_hash'))
    )
    op.create_table('activities',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('owner_team', sa.String(length=64), nullable=True),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('opportunity_id', sa.String(length=32), nullable=True),
    sa.Column('lead_id', sa.String(length=32), nullable=True),
    sa.Column('visit_plan_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['visit_plan_id'], ['visit_plans.id'], name=op.f('fk_activities_visit_plan_id_visit_plans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_activities_due', ['due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index('ix_activities_owner_due', ['owner_id', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_activities_team_due', ['owner_team', 'due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_visit_plan_id'), ['visit_plan_id'], unique=False)

    op.create_table('contact_email_views',
    sa.Column('contact_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact_views.id'], name=op.f('fk_contact_email_views_contact_id_contact_views'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'email', name=op.f('pk_contact_email_views'))
    )
    with op.batch_alter_table('contact_email_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_email_views_email'), ['email'], unique=False)

    op.create_table('lead_assignments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('lead_id', sa.String(length=32), nullable=False),
    sa.Column('from_owner_id', sa.String(length=64), nullable=True),
    sa.Column('to_owner_id', sa.String(length=64), nullable=True),
    sa.Column('to_team', sa.String(length=64), nullable=True),
    sa.Column('rule_id', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_assignments_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_assignments'))
    )
    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_lead_assignments_lead', ['lead_id', 'assigned_at'], unique=False)

    op.create_table('rep_absences',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('rep_id', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['rep_id'], ['reps.id'], name=op.f('fk_rep_absences_rep_id_reps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rep_absences'))
    )
    with op.batch_alter_table('rep_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rep_absences_rep_id'), ['rep_id'], unique=False)

    op.create_table('stages',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('pipeline_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_stages_pipeline_id_pipelines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stages'))
    )
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.create_index('ix_stages_pipeline_position', ['pipeline_id', 'position'], unique=False)

    op.create_table('opportunities',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('contact_id', sa.String(length=32), nullable=True),
    sa.Column('account_pending', sa.Boolean(), nullable=False),
    sa.Column('lead_id', sa.String(length=32), nullable=True),
    sa.Column('campaign_id', sa.String(length=32), nullable=True),
    sa.Column('pipeline_id', sa.String(length=32), nullable=False),
    sa.Column('stage_id', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('forecast_category', sa.String(length=16), nullable=False),
    sa.Column('expected_close_date', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('owner_team', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('loss_reason_id', sa.String(length=32), nullable=True),
    sa.Column('loss_note', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['loss_reason_id'], ['loss_reasons.id'], name=op.f('fk_opportunities_loss_reason_id_loss_reasons')),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_opportunities_pipeline_id_pipelines')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_opportunities_stage_id_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities'))
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunities_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunities_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_opportunities_close', ['status', 'expected_close_date'], unique=False)
        batch_op.create_index('ix_opportunities_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunities_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index('ix_opportunities_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_opportunities_team_status', ['owner_team', 'status'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('opportunity_id', sa.String(length=32), nullable=False),
    sa.Column('from_stage_id', sa.String(length=32), nullable=True),
    sa.Column('to_stage_id', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('seconds_in_previous_stage', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_stage_changes_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_stage_changes_opportunity', ['opportunity_id', 'changed_at'], unique=False)

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

    _seed()


# The standard pipeline and loss reasons every installation starts with (managers may change them).
SEED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
STANDARD_PIPELINE = "00000000000000000000000000000001"
STANDARD_STAGES = [
    ("00000000000000000000000000000011", "Qualification", 10, "open"),
    ("00000000000000000000000000000012", "Needs analysis", 25, "open"),
    ("00000000000000000000000000000013", "Proposal", 50, "open"),
    ("00000000000000000000000000000014", "Negotiation", 75, "open"),
    ("00000000000000000000000000000015", "Won", 100, "won"),
    ("00000000000000000000000000000016", "Lost", 0, "lost"),
]
LOSS_REASONS = [
    ("00000000000000000000000000000021", "Price"),
    ("00000000000000000000000000000022", "Competitor"),
    ("00000000000000000000000000000023", "No decision"),
    ("00000000000000000000000000000024", "Timing"),
    ("00000000000000000000000000000025", "Product fit"),
    ("00000000000000000000000000000026", "Other"),
]


def _seed() -> None:
    pipelines = sa.table(
        "pipelines", sa.column("id"), sa.column("name"), sa.column("is_default"), sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)), sa.column("version"),
    )
    stages = sa.table(
        "stages", sa.column("id"), sa.column("pipeline_id"), sa.column("name"), sa.column("position"),
        sa.column("probability"), sa.column("outcome"),
    )
    reasons = sa.table(
        "loss_reasons", sa.column("id"), sa.column("name"), sa.column("active"), sa.column("created_at", sa.DateTime(timezone=True))
    )
    moment = SEED_TIME if op.get_context().dialect.name != "sqlite" else SEED_TIME.replace(tzinfo=None)
    op.bulk_insert(pipelines, [{"id": STANDARD_PIPELINE, "name": "Standard", "is_default": True, "created_at": moment, "updated_at": moment, "version": 1}])
    op.bulk_insert(
        stages,
        [
            {"id": stage_id, "pipeline_id": STANDARD_PIPELINE, "name": name, "position": position, "probability": probability, "outcome": outcome}
            for position, (stage_id, name, probability, outcome) in enumerate(STANDARD_STAGES)
        ],
    )
    op.bulk_insert(reasons, [{"id": reason_id, "name": name, "active": True, "created_at": moment} for reason_id, name in LOSS_REASONS])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_handled_at'))

    op.drop_table('inbox')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_opportunity')

    op.drop_table('stage_changes')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_team_status')
        batch_op.drop_index('ix_opportunities_owner_status')
        batch_op.drop_index(batch_op.f('ix_opportunities_lead_id'))
        batch_op.drop_index('ix_opportunities_created')
        batch_op.drop_index('ix_opportunities_close')
        batch_op.drop_index(batch_op.f('ix_opportunities_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_opportunities_account_id'))

    op.drop_table('opportunities')
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_index('ix_stages_pipeline_position')

    op.drop_table('stages')
    with op.batch_alter_table('rep_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rep_absences_rep_id'))

    op.drop_table('rep_absences')
    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_assignments_lead')

    op.drop_table('lead_assignments')
    with op.batch_alter_table('contact_email_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_email_views_email'))

    op.drop_table('contact_email_views')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_visit_plan_id'))
        batch_op.drop_index('ix_activities_team_due')
        batch_op.drop_index('ix_activities_owner_due')
        batch_op.drop_index(batch_op.f('ix_activities_opportunity_id'))
        batch_op.drop_index('ix_activities_due')
        batch_op.drop_index(batch_op.f('ix_activities_account_id'))

    op.drop_table('activities')
    op.drop_table('web_forms')
    op.drop_table('assignment_cursors')
    with op.batch_alter_table('visit_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_plans_owner_day')

    op.drop_table('visit_plans')
    with op.batch_alter_table('reps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reps_team'))

    op.drop_table('reps')
    op.drop_table('pipelines')
    op.drop_table('loss_reasons')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_team_created')
        batch_op.drop_index('ix_leads_status_created')
        batch_op.drop_index('ix_leads_owner_status')
        batch_op.drop_index(batch_op.f('ix_leads_email_key'))
        batch_op.drop_index('ix_leads_created')
        batch_op.drop_index(batch_op.f('ix_leads_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_leads_account_id'))

    op.drop_table('leads')
    with op.batch_alter_table('contact_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_views_account_id'))

    op.drop_table('contact_views')
    op.drop_table('assignment_rules')
    with op.batch_alter_table('account_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_views_domain'))

    op.drop_table('account_views')
