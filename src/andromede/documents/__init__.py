"""Legal e-invoices: every issued invoice and credit note as Factur-X (PDF/A-3 with its CII
XML), CII, UBL 2.1 and a readable PDF, checked offline against the XSDs and the EN 16931 and
French Schematrons, and handed to an approved platform or Chorus Pro through an outbox.

Pure: ``model`` (the e-invoice as plain data), ``from_invoice`` (the stored JSON invoice to
that model), ``cii`` and ``ubl`` (the XML syntaxes), ``lifecycle`` (outbox statuses).
Adapters: ``rendering`` (HTML → PDF, Factur-X), ``validation`` (XSD + Schematron),
``platforms`` (where documents go). ``service`` holds the use cases, ``store`` the outbox.
"""
