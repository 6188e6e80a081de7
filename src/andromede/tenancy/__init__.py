"""Operator, partners, customers, projects, users, roles and tokens."""
