"""one active training run: a unique slot held by the queued or running run

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:34:17
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_training_runs_slot", ["slot"])
    # A run already queued or running keeps going: it holds the slot.
    op.execute(
        "UPDATE training_runs SET slot = 1 WHERE id = "
        "(SELECT max(id) FROM training_runs WHERE status IN ('queued', 'running'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("training_runs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_training_runs_slot", type_="unique")
        batch_op.drop_column("slot")
