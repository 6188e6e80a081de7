"""Use cases of the key hierarchy: a customer's key-encryption key, made on first need;
a fresh data key per volume, handed back only wrapped; and the crypto-erase that
destroys a customer's keys when it is erased."""

import os

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from andromede.kernel.clock import Clock
from andromede.sovereignty.key_store import CustomerKey
from andromede.sovereignty.kms import Kms

__all__ = ["CustomerKey", "KeyService"]

DATA_KEY_BYTES = 32  # AES-256 for the volume's data


# the customer's live key, newest first: built once, every volume and root disk reads it
_LIVE_KEK = (
    select(CustomerKey.id)
    .where(CustomerKey.customer_id == bindparam("customer_id"), CustomerKey.destroyed_at.is_(None))
    .order_by(CustomerKey.created_at.desc())
)


class KeyService:
    def __init__(self, clock: Clock, kms: Kms) -> None:
        self.clock = clock
        self.kms = kms

    def _kek(self, session: Session, partner_id: str, customer_id: str) -> str:
        found = session.scalars(_LIVE_KEK, {"customer_id": customer_id}).first()
        if found is not None:
            return found
        key_id = self.kms.create()
        session.add(
            CustomerKey(
                id=key_id, partner_id=partner_id, customer_id=customer_id,
                created_at=self.clock.now(), destroyed_at=None,
            )
        )  # fmt: skip
        session.flush()
        return key_id

    def new_data_key(
        self, session: Session, partner_id: str, customer_id: str
    ) -> tuple[str, bytes]:
        """(the KEK's id, a fresh data key wrapped by it): the plain data key is never
        kept; the data plane unwraps it when it needs it."""
        key_id = self._kek(session, partner_id, customer_id)
        return key_id, self.kms.wrap(key_id, os.urandom(DATA_KEY_BYTES))

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        return self.kms.unwrap(key_id, wrapped)

    def keys_of(self, session: Session, customer_id: str) -> list[CustomerKey]:
        query = select(CustomerKey).where(CustomerKey.customer_id == customer_id)
        return list(session.scalars(query.order_by(CustomerKey.created_at)))

    def crypto_erase(self, session: Session, customer_id: str) -> list[str]:
        """Destroys every key of the customer: whatever they wrapped, wherever a copy of
        it survives, can no longer be read."""
        now = self.clock.now()
        destroyed = []
        for key in self.keys_of(session, customer_id):
            self.kms.destroy(key.id)
            if key.destroyed_at is None:
                key.destroyed_at = now
            destroyed.append(key.id)
        return destroyed
