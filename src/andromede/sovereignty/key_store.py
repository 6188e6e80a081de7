"""Which key-encryption key is each customer's (the key itself is in the KMS, never here)."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["CustomerKey"]


class CustomerKey(Base):
    __tablename__ = "customer_keys"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)  # the KMS's key id
    partner_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
