"""Use cases of e-invoices: the documents of an invoice the caller may read; the outbox
that follows each issued document through the platform's lifecycle.

Issuing an invoice records its outbox row in the same transaction (``on_issue`` is wired
to billing's issue hook in bootstrap). The worker then produces the Factur-X outside any
transaction, hands it to the platform, and records the outcome in a transaction of its
own; the Factur-X kept is the one handed over.
"""

import hashlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from andromede.billing.invoice_json import invoice_document
from andromede.billing.invoice_service import Invoice, InvoiceService
from andromede.db import insert_rows
from andromede.documents import lifecycle, store
from andromede.documents.platforms import PlatformAdapter, StatusUpdate
from andromede.documents.production import FORMATS, produce_one
from andromede.documents.rendering import LANGUAGES
from andromede.documents.store import OutboxEntry, OutboxEvent
from andromede.kernel.clock import Clock
from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.scope import Caller, tenant_scope

__all__ = ["DocumentService", "OutboxEntry", "OutboxEvent"]

Transaction = Callable[[], AbstractContextManager[Session]]
CHORUS = "chorus"
PLATFORM = "platform"


class DocumentService:
    def __init__(
        self,
        clock: Clock,
        invoices: InvoiceService,
        platforms: dict[str, PlatformAdapter | None],
    ) -> None:
        self.clock = clock
        self.invoices = invoices
        self.platforms = platforms  # channel → adapter (None: documents wait)

    # -- reading -----------------------------------------------------------------
    def document(
        self, session: Session, caller: Caller, invoice_id: str, fmt: str, lang: str = "fr"
    ) -> tuple[bytes, str, str]:
        """(content, media type, file name). The Factur-X is the one kept at sending, or
        produced now and kept; the XMLs and the readable PDF are produced from the stored
        invoice each time, the same bytes every time."""
        if fmt not in FORMATS:
            raise ValidationFailed.one("format", f"one of {', '.join(FORMATS)}")
        if lang not in LANGUAGES:
            raise ValidationFailed.one("lang", f"one of {', '.join(LANGUAGES)}")
        invoice, lines = self.invoices.get_invoice(session, caller, invoice_id)
        media, suffix = FORMATS[fmt]
        name = f"{invoice.number}{suffix}"
        if fmt == "facturx":
            return self.facturx(session, invoice), media, name
        return produce_one(invoice_document(invoice, lines), fmt, lang), media, name

    def facturx(self, session: Session, invoice: Invoice) -> bytes:
        entry = self._entry(session, invoice)
        if entry.document is None:
            lines = self.invoices.lines(session, invoice.id)
            self._keep(entry, produce_one(invoice_document(invoice, lines), "facturx"))
        return bytes(entry.document or b"")

    def outbox(
        self,
        session: Session,
        caller: Caller,
        *,
        status: str | None,
        limit: int,
        marker: str | None,
    ) -> list[OutboxEntry]:
        if status is not None and status not in lifecycle.STATUSES:
            raise ValidationFailed.one("status", f"one of {', '.join(lifecycle.STATUSES)}")
        return store.visible(session, tenant_scope(caller.actor), status, limit, marker)

    def trail(
        self, session: Session, caller: Caller, invoice_id: str
    ) -> tuple[OutboxEntry, list[OutboxEvent]]:
        invoice, _ = self.invoices.get_invoice(session, caller, invoice_id)
        return self._entry(session, invoice), store.events(session, invoice.id)

    def status_of(self, session: Session, invoice_id: str) -> str | None:
        entry = store.entry(session, invoice_id)
        return entry.status if entry else None

    def statuses(self, session: Session, invoice_ids: list[str]) -> dict[str, str]:
        return store.statuses(session, invoice_ids)

    # -- the outbox ----------------------------------------------------------------
    def on_issue(self, session: Session, invoices: Sequence[Invoice]) -> None:
        """Billing's hook: every issued document enters the outbox, ready (a month close
        hands over a batch: its trail rows go in one statement)."""
        now = self.clock.now()
        channels = {
            i.id: CHORUS if (i.recipient or {}).get("siret") else PLATFORM for i in invoices
        }
        entries = [
            {
                "invoice_id": invoice.id,
                "number": invoice.number,
                "partner_id": invoice.partner_id,
                "customer_id": invoice.customer_id,
                "channel": channels[invoice.id],
                "status": lifecycle.READY,
                "status_at": now,
                "attempts": 0,
                "created_at": now,
            }
            for invoice in invoices
        ]
        session.flush()  # the invoices, before the rows that point at them
        insert_rows(session, OutboxEntry, entries)
        rows = [
            {
                "invoice_id": invoice.id,
                "status": lifecycle.READY,
                "status_code": None,
                "detail": f"ready for {channels[invoice.id]}",
                "at": now,
            }
            for invoice in invoices
        ]
        insert_rows(session, OutboxEvent, rows)

    def on_paid(self, session: Session, invoice: Invoice) -> None:
        """Billing's hook: an invoice paid in full is "encaissée" (212)."""
        entry = store.entry(session, invoice.id, lock=True)
        if entry is not None:
            self._move(session, entry, lifecycle.PAID, lifecycle.CODES[lifecycle.PAID], None)

    def send_ready(
        self,
        transaction: Transaction,
        batch: int = 200,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> int:
        """Produces and hands over every document waiting in the outbox, a batch at a
        time; the number sent. Production and the hand-over run outside any
        transaction; the outcome is recorded in one per document (a second worker finds
        it no longer ready). ``keep_going`` is asked before every batch after the first
        (the worker's lease on the job): no means stop there."""
        sent = 0
        while sent == 0 or keep_going():
            with transaction() as session:
                waiting = store.waiting(session, lifecycle.READY, batch)
            done = sum(self._send_one(transaction, invoice_id) for invoice_id in waiting)
            sent += done
            if len(waiting) < batch or done == 0:
                return sent
        return sent

    def _send_one(self, transaction: Transaction, invoice_id: str) -> int:
        with transaction() as session:
            entry = store.entry(session, invoice_id)
            if entry is None or entry.status != lifecycle.READY:
                return 0
            adapter = self.platforms.get(entry.channel)
            if adapter is None:
                return 0
            facturx = entry.document
            if facturx is None:
                invoice, lines = self.invoices.issued(session, invoice_id)
                doc = invoice_document(invoice, lines)
        if facturx is None:
            facturx = produce_one(doc, "facturx")
        outcome = adapter.submit(entry.number, facturx)
        with transaction() as session:
            locked = store.entry(session, invoice_id, lock=True)
            if locked is None or locked.status != lifecycle.READY:
                return 0
            if locked.document is None:
                self._keep(locked, facturx)
            locked.attempts += 1
            locked.platform_ref = outcome.reference
            code = lifecycle.CODES.get(outcome.status)
            self._move(session, locked, outcome.status, code, outcome.detail or adapter.name)
        return 1

    def poll(self, transaction: Transaction) -> int:
        """Lifecycle statuses the platforms report, applied in order; the number applied."""
        applied = 0
        for adapter in {id(a): a for a in self.platforms.values() if a}.values():
            updates = adapter.updates()
            if updates:
                with transaction() as session:
                    applied += sum(self._apply(session, u) for u in updates)
        return applied

    def _apply(self, session: Session, update: StatusUpdate) -> int:
        entry = store.entry_by_number(session, update.number)
        if entry is None:
            return 0
        return self._move(session, entry, update.status, update.code, update.detail)

    def _move(
        self,
        session: Session,
        entry: OutboxEntry,
        status: str,
        code: str | None,
        detail: str | None,
    ) -> int:
        if not lifecycle.allowed(entry.status, status):
            return 0
        entry.status = status
        entry.status_code = code
        entry.status_at = self.clock.now()
        entry.detail = (detail or "")[:500] or None
        self._event(session, entry.invoice_id, status, code, detail)
        return 1

    def _event(
        self,
        session: Session,
        invoice_id: str,
        status: str,
        code: str | None,
        detail: str | None,
    ) -> None:
        session.add(
            OutboxEvent(
                invoice_id=invoice_id,
                status=status,
                status_code=code,
                detail=(detail or "")[:500] or None,
                at=self.clock.now(),
            )
        )

    def _entry(self, session: Session, invoice: Invoice) -> OutboxEntry:
        entry = store.entry(session, invoice.id)
        if entry is None:  # issued before the outbox existed
            self.on_issue(session, [invoice])
            entry = store.entry(session, invoice.id)
        assert entry is not None
        return entry

    @staticmethod
    def _keep(entry: OutboxEntry, facturx: bytes) -> None:
        entry.document = facturx
        entry.sha256 = hashlib.sha256(facturx).hexdigest()
