"""The native REST API: one router per capability, calling services only."""
