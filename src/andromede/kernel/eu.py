"""The European Union's member states (ISO 3166-1 alpha-2): where a sovereign region may
be, and what a residency policy's ``in:eu`` means."""

__all__ = ["EU_COUNTRIES"]

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)
