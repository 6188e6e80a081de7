"""job leases (periodic jobs once across workers, month close units); hosts indexed in
the placement weighers' order; projects' usage counters (quota checks without a count)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_leases',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('due_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('lease_until', andromede.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('last_started_at', andromede.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', andromede.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases'))
    )
    op.create_table('project_usage',
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('instances', sa.Integer(), nullable=False),
    sa.Column('cores', sa.Integer(), nullable=False),
    sa.Column('ram_mib', sa.Integer(), nullable=False),
    sa.Column('storage_gib', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_usage_project_id_projects')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_usage'))
    )
    op.execute(
        "INSERT INTO project_usage (project_id, instances, cores, ram_mib, storage_gib) "
        "SELECT project_id, count(id), sum(vcpus), sum(ram_mib), "
        "sum(disk_gib + coalesce(root_volume_gib, 0)) "
        "FROM servers WHERE status != 'DELETED' GROUP BY project_id"
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    suffix = "_pg" if postgres else ""
    name = '(name COLLATE "C")' if postgres else "name"
    free_ram, free_vcpus = "(ram_mib * ram_ratio - used_ram_mib)", "(vcpus * cpu_ratio - used_vcpus)"
    for index, order in (("spread", " DESC"), ("pack", "")):
        op.create_index(
            f"ix_hosts_{index}{suffix}",
            "hosts",
            [
                sa.text("region_code"),
                sa.text(free_ram + order),
                sa.text(free_vcpus + order),
                sa.text(name),
                sa.text("id"),
            ],
        )


def downgrade() -> None:
    suffix = "_pg" if op.get_bind().dialect.name == "postgresql" else ""
    op.drop_index(f"ix_hosts_spread{suffix}", "hosts")
    op.drop_index(f"ix_hosts_pack{suffix}", "hosts")
    op.drop_table('project_usage')
    op.drop_table('job_leases')
