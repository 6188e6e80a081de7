"""username skeletons (UTS #39): no two usernames that look alike

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from andromede.tenancy.usernames import skeleton


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username_skeleton', sa.String(length=400), nullable=True))
    conn = op.get_bind()
    seen: set[str] = set()
    # oldest first: an existing look-alike keeps no skeleton (it may sign in, and no new
    # account can be made like it, since the first one holds the skeleton)
    rows = conn.execute(sa.text("SELECT id, username FROM users ORDER BY created_at, id"))
    for user_id, username in list(rows):
        value = skeleton(username.lower())
        if value in seen:
            continue
        seen.add(value)
        conn.execute(
            sa.text("UPDATE users SET username_skeleton = :s WHERE id = :i"),
            {"s": value, "i": user_id},
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_username_skeleton'), ['username_skeleton'])


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_username_skeleton'), type_='unique')
        batch_op.drop_column('username_skeleton')
