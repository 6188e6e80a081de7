"""The maintenance windows the operator announced."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["Maintenance"]


class Maintenance(Base):
    __tablename__ = "maintenances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    zone_code: Mapped[str | None] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nature: Mapped[str] = mapped_column(String(500))
    impact: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str] = mapped_column(String(200))
    notified_customers: Mapped[int] = mapped_column(Integer)
    notified_partners: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
