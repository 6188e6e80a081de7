"""Where a partner or a customer wants its notifications posted, and what was delivered."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["Delivery", "Webhook"]


class Webhook(Base):
    """One per organisation: a partner's (``customer_id`` empty) or a customer's."""

    __tablename__ = "notification_webhooks"
    __table_args__ = (UniqueConstraint("partner_id", "customer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    __tablename__ = "notification_deliveries"

    webhook_id: Mapped[str] = mapped_column(
        ForeignKey("notification_webhooks.id", ondelete="CASCADE"), primary_key=True
    )
    notification_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())
