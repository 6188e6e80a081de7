"""Prices aligned on a hyperscaler: its public price lists imported with their dates
(``price_list``), our flavors mapped to its instance types (``mapping``), where each
flavor stands against it (``report``), and a list-price change that follows its cut
without silently eating partner margins (``proposal``). On top of billing: the
proposal's impact on a past month comes from billing's dry run."""
