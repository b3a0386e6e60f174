"""Training: exercises, their reports with gold, and trainees' submissions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'exercises',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(100), nullable=False, unique=True),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('released_day', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('owner_org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=False, index=True),
        sa.Column('tlp', sa.String(), sa.ForeignKey('markings.tlp'), nullable=False),
        sa.Column('sharing_group_id', sa.Integer(), sa.ForeignKey('sharing_groups.id'), nullable=True),
    )
    op.create_table(
        'exercise_reports',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('exercise_id', sa.Integer(), sa.ForeignKey('exercises.id', ondelete='CASCADE'), nullable=False,
                  index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(300), nullable=False),
        sa.Column('title', sa.String(500), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('published', sa.Date(), nullable=True),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.Column('gold', sa.Text(), nullable=False),
        sa.UniqueConstraint('exercise_id', 'name'),
    )
    op.create_table(
        'exercise_submissions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('exercise_id', sa.Integer(), sa.ForeignKey('exercises.id', ondelete='CASCADE'), nullable=False),
        sa.Column('report_id', sa.Integer(), sa.ForeignKey('exercise_reports.id', ondelete='CASCADE'),
                  nullable=False, index=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False, index=True),
        sa.Column('org_id', sa.Integer(), sa.ForeignKey('organisations.id'), nullable=False, index=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('coding', sa.Text(), nullable=False),
        sa.Column('required', sa.Integer(), nullable=False),
        sa.Column('found', sa.Integer(), nullable=False),
        sa.Column('coded', sa.Integer(), nullable=False),
        sa.Column('matched', sa.Integer(), nullable=False),
        sa.Column('fields_ok', sa.Integer(), nullable=False),
        sa.Column('fields_all', sa.Integer(), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
    )
    op.create_index('ix_exercise_submissions_exercise_user', 'exercise_submissions', ['exercise_id', 'user_id'])


def downgrade() -> None:
    op.drop_index('ix_exercise_submissions_exercise_user', 'exercise_submissions')
    op.drop_table('exercise_submissions')
    op.drop_table('exercise_reports')
    op.drop_table('exercises')
