"""Leaving the cloud: termination, the erasure notice, erasure and its certificate, and
the whole inventory as documented JSON (reversibility)."""
