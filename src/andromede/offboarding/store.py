"""Erasure certificates: kept after the customer's data is gone, as the proof of it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["ErasureCertificate", "certificate_of"]


class ErasureCertificate(Base):
    __tablename__ = "erasure_certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def certificate_of(session: Session, customer_id: str) -> ErasureCertificate | None:
    query = select(ErasureCertificate).where(ErasureCertificate.customer_id == customer_id)
    return session.scalars(query).first()


def due_customers(session: Session, model: Any, now: datetime) -> list[str]:
    """Terminated customers whose erasure notice has ended."""
    query = select(model.id).where(model.status == "terminated", model.erasure_due_at <= now)
    return list(session.scalars(query))
