"""First schema: every table of the domain vocabulary, TLP 2.0 markings, full-text search over reports.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:52:12.079145
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from jirga.model import tlp

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actors',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('markings',
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=24), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('stix_id', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('tlp'),
    sa.UniqueConstraint('rank'),
    sa.UniqueConstraint('stix_id')
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.Column('key_fingerprint', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('uuid')
    )
    op.create_table('places',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('precision', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=True),
    sa.Column('province', sa.String(length=200), nullable=True),
    sa.Column('district', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sharing_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=8), nullable=True),
    sa.Column('place_id', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('province_code', sa.String(length=12), nullable=True),
    sa.Column('attack_type', sa.String(length=40), nullable=True),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('killed_low', sa.Integer(), nullable=True),
    sa.Column('killed_best', sa.Integer(), nullable=True),
    sa.Column('killed_high', sa.Integer(), nullable=True),
    sa.Column('injured_low', sa.Integer(), nullable=True),
    sa.Column('injured_best', sa.Integer(), nullable=True),
    sa.Column('injured_high', sa.Integer(), nullable=True),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_country_date', ['country', 'date_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index('ix_incidents_province_date', ['province_code', 'date_start'], unique=False)
        batch_op.create_index('ix_incidents_status_date', ['status', 'date_start'], unique=False)

    op.create_table('sharing_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['sharing_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'org_id')
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('reliability', sa.String(length=1), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_owner_org_id'), ['owner_org_id'], unique=False)

    op.create_table('incident_actors',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'actor_id', 'role')
    )
    with op.batch_alter_table('incident_actors', schema=None) as batch_op:
        batch_op.create_index('ix_incident_actors_actor', ['actor_id', 'incident_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('origin', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('extractor_version', sa.String(length=40), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['reports.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'content_hash'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_extractor_version'), ['extractor_version'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_published'), ['published'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_url'), ['url'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=24), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.Column('sentence_start', sa.Integer(), nullable=True),
    sa.Column('sentence_end', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('extractor_version', sa.String(length=40), nullable=True),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_report_id'), ['report_id'], unique=False)

    op.create_table('relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.String(length=120), nullable=False),
    sa.Column('relation', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('extractor_version', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['object_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['actors.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relations_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relations_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relations_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relations_subject_id'), ['subject_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('confidence', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], ),
    sa.ForeignKeyConstraint(['tlp'], ['markings.tlp'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_owner_org_id'), ['owner_org_id'], unique=False)

    op.bulk_insert(sa.table("markings", sa.column("tlp"), sa.column("name"), sa.column("rank"), sa.column("stix_id")),
                   [{"tlp": level, "name": tlp.NAMES[level], "rank": rank, "stix_id": tlp.TLP2_MARKING_IDS[level]}
                    for rank, level in enumerate(tlp.LEVELS)])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX reports_fts ON reports USING gin "
                   "(to_tsvector('english', title || ' ' || text))")
    else:
        # An external-content FTS5 index kept in step with the reports table by triggers.
        op.execute("CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='reports', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN "
                   "INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")
        op.execute("CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN "
                   "INSERT INTO reports_fts(reports_fts, rowid, title, text) "
                   "VALUES ('delete', old.id, old.title, old.text); END")
        op.execute("CREATE TRIGGER reports_fts_update AFTER UPDATE OF title, text ON reports BEGIN "
                   "INSERT INTO reports_fts(reports_fts, rowid, title, text) "
                   "VALUES ('delete', old.id, old.title, old.text); "
                   "INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE reports_fts")
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_incident_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_claim_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relations_subject_id'))
        batch_op.drop_index(batch_op.f('ix_relations_report_id'))
        batch_op.drop_index(batch_op.f('ix_relations_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_relations_object_id'))

    op.drop_table('relations')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_report_id'))
        batch_op.drop_index(batch_op.f('ix_claims_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_claims_incident_id'))

    op.drop_table('claims')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_url'))
        batch_op.drop_index(batch_op.f('ix_reports_published'))
        batch_op.drop_index(batch_op.f('ix_reports_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_reports_extractor_version'))

    op.drop_table('reports')
    with op.batch_alter_table('incident_actors', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_actors_actor')

    op.drop_table('incident_actors')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_owner_org_id'))

    op.drop_table('sources')
    op.drop_table('sharing_group_members')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_status_date')
        batch_op.drop_index('ix_incidents_province_date')
        batch_op.drop_index(batch_op.f('ix_incidents_owner_org_id'))
        batch_op.drop_index('ix_incidents_country_date')

    op.drop_table('incidents')
    op.drop_table('sharing_groups')
    op.drop_table('places')
    op.drop_table('organisations')
    op.drop_table('markings')
    op.drop_table('actors')
