"""A reservation's terms as plain data: what rating, matching and reports read of a
purchase. Its prices (all three layers) were fixed when it was bought. Pure."""

from dataclasses import dataclass
from datetime import datetime

from andromede.catalog.pricing import Prices
from andromede.prepaid.reservation_matching import Span

__all__ = ["Reservation"]

TERM_NAMES = {"1y": "1 an", "3y": "3 ans"}
PAYMENT_NAMES = {
    "all-upfront": "paiement total d'avance",
    "partial-upfront": "paiement partiel d'avance",
    "no-upfront": "sans avance",
}


@dataclass(frozen=True)
class Reservation:
    id: str
    number: str  # what invoices and reports call it, e.g. RES-1A2B3C4D
    customer_id: str
    partner_id: str
    flavor: str
    family: str
    region: str
    size_units: int
    count: int
    term: str
    payment: str
    start: datetime
    end: datetime
    upfront: Prices  # per reservation
    hourly: Prices  # per reservation and hour

    def span(self) -> Span:
        units = self.size_units * self.count
        return Span(self.id, self.family, self.region, units, self.start, self.end)

    def describe(self) -> str:
        return (
            f"Réservation {self.number} : {self.count} × {self.flavor}, région {self.region}, "
            f"{TERM_NAMES[self.term]}, {PAYMENT_NAMES[self.payment]}"
        )

    def sku(self, part: str) -> str:
        return f"reservation:{self.flavor}:{self.region}:{self.term}:{self.payment}:{part}"
