"""tips service: API keys, subscribers, weekly tip sends (the delivery outbox), A/B tests, anonymous events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "tip_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ubigeo", sa.String(length=6), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("week", sa.String(length=8), nullable=True),
        sa.Column("experiment_id", sa.Integer(), nullable=True),
        sa.Column("arm", sa.String(length=1), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tip_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_events_at"), ["at"], unique=False)
    op.create_table(
        "tip_subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("ubigeo", sa.String(length=6), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("birth_month", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enrolled_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["enrolled_by"], ["tip_api_keys.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone_hash"),
        sa.UniqueConstraint("public_id"),
    )
    with op.batch_alter_table("tip_subscribers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_subscribers_ubigeo"), ["ubigeo"], unique=False)
    op.create_table(
        "tip_experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_a", sa.String(length=16), nullable=False),
        sa.Column("version_b", sa.String(length=16), nullable=False),
        sa.Column("split_a", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "tip_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("tip_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("model_version", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feedback", sa.Integer(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("receipt", sa.String(length=16), nullable=True),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arm", sa.String(length=1), nullable=True),
        sa.Column("experiment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["experiment_id"], ["tip_experiments.id"]),
        sa.ForeignKeyConstraint(["subscriber_id"], ["tip_subscribers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "week", name="uq_tip_sends_subscriber_week"),
    )
    with op.batch_alter_table("tip_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_sends_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_sends_week"), ["week"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tip_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_sends_week"))
        batch_op.drop_index(batch_op.f("ix_tip_sends_status"))
    op.drop_table("tip_sends")
    op.drop_table("tip_experiments")
    with op.batch_alter_table("tip_subscribers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_subscribers_ubigeo"))
    op.drop_table("tip_subscribers")
    with op.batch_alter_table("tip_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_events_at"))
    op.drop_table("tip_events")
    op.drop_table("tip_api_keys")
