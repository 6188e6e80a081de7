"""Reserved capacity and prepaid commitments: what customers buy in advance.

Below billing: a purchase records what is due (a reservation's upfront part once its term
starts, a commitment's payment at purchase) and billing issues it, reading prepaid through
its services; prepaid never imports billing. Pure modules: ``terms`` (a reservation as
data), ``reservations`` (hourly matching against usage), ``reservation_matching`` (a
period's matching by segment), ``reservation_pricing`` (offers, default prices,
recommendations), ``commitments`` (credit, expiry, drawdown order). Use cases:
``reservation_service``, ``commitment_service``; tables: ``store``.
"""
