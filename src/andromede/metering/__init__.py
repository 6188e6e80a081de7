"""Usage: what ran, where, when, derived from the servers' state-change events."""
