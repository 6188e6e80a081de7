"""The audit log: one entry per mutating request and per reconciler step."""
