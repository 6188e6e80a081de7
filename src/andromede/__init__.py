"""Andromède: control plane for a sovereign public IaaS cloud sold through partners."""

__version__ = "0.1.0"
