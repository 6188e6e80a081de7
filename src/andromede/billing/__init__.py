"""Billing: rating, the month close, invoices and credit notes, reports, exports.

Pure modules: ``rating`` (segments at the prices in force), ``reserved_rating`` (what
reservations cover and charge), ``statements`` (a month's drafts per stream),
``invoicing`` (lines, VAT, totals, numbering), ``impact``, ``exports``, ``invoice_json``.
Use cases, one service per job: ``rating_service`` (a period rated, shared by all
below), ``issue_service`` (close, issue, prepaid charges, credit notes),
``invoice_service`` (reads), ``report_service`` (usage, month to date, margins, price
change impact), ``reservation_report_service``; tables: ``store``. Billing reads
``prepaid`` through its services; prices come from ``catalog.price_service``.
"""
