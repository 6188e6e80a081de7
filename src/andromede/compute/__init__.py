"""Servers, keypairs, server groups, placement and the reconciler."""
