"""The registers of exposure to non-EU law: subprocessors, legal change notices, and
government requests for a customer's data."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["GovernmentRequestRow", "LegalChangeRow", "SubprocessorRow"]


class SubprocessorRow(Base):
    __tablename__ = "subprocessors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    purpose: Mapped[str] = mapped_column(String(500))
    data_categories: Mapped[list[str]] = mapped_column(JSON)
    technical_access: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LegalChangeRow(Base):
    __tablename__ = "legal_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    summary: Mapped[str] = mapped_column(Text)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class GovernmentRequestRow(Base):
    """Operator eyes only: the customer sees the notice it was sent, not the register."""

    __tablename__ = "government_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    authority: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scope: Mapped[str] = mapped_column(Text)
    legal_assessment: Mapped[str] = mapped_column(Text)
    notified: Mapped[bool] = mapped_column(Boolean)
    bar_reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
