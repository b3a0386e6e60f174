"""Sharing between instances: organisations' signing keys, STIX objects of TAXII collections, add statuses, peers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _owned() -> list[sa.Column]:
    return [sa.Column('owner_org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=False, index=True),
            sa.Column('tlp', sa.String(), sa.ForeignKey('markings.tlp'), nullable=False),
            sa.Column('sharing_group_id', sa.Integer(), sa.ForeignKey('sharing_groups.id'), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'org_keys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=False, index=True),
        sa.Column('key_id', sa.String(100), nullable=False, unique=True),
        sa.Column('public_key', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'stix_objects',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('collection', sa.String(36), nullable=False),
        sa.Column('stix_id', sa.String(300), nullable=False, index=True),
        sa.Column('type', sa.String(250), nullable=False),
        sa.Column('spec_version', sa.String(10), nullable=False),
        sa.Column('version', sa.String(40), nullable=False),
        sa.Column('date_added', sa.DateTime(timezone=True), nullable=False),
        sa.Column('author_org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        *_owned(),
        sa.UniqueConstraint('collection', 'stix_id', 'version'),
    )
    op.create_index('ix_stix_objects_collection_added', 'stix_objects', ['collection', 'date_added', 'id'])
    op.create_table(
        'taxii_statuses',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('collection', sa.String(36), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('request_timestamp', sa.DateTime(timezone=True), nullable=False),
        sa.Column('total_count', sa.Integer(), nullable=False),
        sa.Column('success_count', sa.Integer(), nullable=False),
        sa.Column('failure_count', sa.Integer(), nullable=False),
        sa.Column('pending_count', sa.Integer(), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        *_owned(),
    )
    op.create_table(
        'peers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False, unique=True),
        sa.Column('url', sa.String(2048), nullable=False),
        sa.Column('org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=True),
        sa.Column('owner_org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=False),
        sa.Column('token', sa.Text(), nullable=True),
        sa.Column('cursor', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('peers')
    op.drop_table('taxii_statuses')
    op.drop_index('ix_stix_objects_collection_added', 'stix_objects')
    op.drop_table('stix_objects')
    op.drop_table('org_keys')
